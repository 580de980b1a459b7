/** svc-missing-tags: a service without the tags ownership and cost reports need (opt-in, Security Hub ECS.13). */
import { missingTagsEvidence, REQUIRED_TAGS_PARAMS } from './tags/helpers';
import { resourceRule } from './types';

export const svcMissingTags = resourceRule({
  family: 'resource',
  id: 'svc-missing-tags',
  title: 'Service is not tagged',
  severity: 'low',
  defaultMode: 'off',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'Service',
  description:
    'Opt-in: the service has no tag (`aws:` system tags ignored), or lacks a key of `requiredTagKeys`; tags from CreateService, TagResource/UntagResource (enrichment) and the sweep.',
  advice: 'Tag every service with its owner and purpose so findings reach the team that runs it.',
  controls: { securityHub: 'ECS.13' },
  // The project's own mapping: Security Hub lists no requirement for ECS.13 (an inventory of components).
  ownFrameworks: { 'nist-800-53-r5': ['CM-8'], 'pci-dss-4.0.1': ['12.5.1'] },
  params: REQUIRED_TAGS_PARAMS,
  check: (s, p) => missingTagsEvidence(s.tags, p, `service "${s.name}"`),
});
