/** td-missing-tags: a task definition without the tags ownership and cost reports need (opt-in, Security Hub ECS.15). */
import { missingTagsEvidence, REQUIRED_TAGS_PARAMS } from './tags/helpers';
import { TD } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdMissingTags = resourceRule({
  family: 'resource',
  id: 'td-missing-tags',
  title: 'Task definition is not tagged',
  severity: 'low',
  defaultMode: 'off',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    'Opt-in: the task definition has no tag (`aws:` system tags ignored), or lacks a key of `requiredTagKeys`; tags from RegisterTaskDefinition, TagResource/UntagResource (enrichment) and the sweep.',
  advice: 'Tag every task definition with its owner so findings reach the team that ships it.',
  controls: { securityHub: 'ECS.15' },
  // The project's own mapping: Security Hub lists no requirement for ECS.15 (an inventory of components).
  ownFrameworks: { 'nist-800-53-r5': ['CM-8'], 'pci-dss-4.0.1': ['12.5.1'] },
  params: REQUIRED_TAGS_PARAMS,
  check: (td, p) =>
    missingTagsEvidence(
      td.tags,
      p,
      `task definition "${td.revision !== undefined ? `${td.family}:${td.revision}` : td.family}"`,
    ),
});
