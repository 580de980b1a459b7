/** cluster-missing-tags: a cluster without the tags ownership and cost reports need (opt-in, Security Hub ECS.14). */
import { missingTagsEvidence, REQUIRED_TAGS_PARAMS } from './tags/helpers';
import { resourceRule } from './types';

export const clusterMissingTags = resourceRule({
  family: 'resource',
  id: 'cluster-missing-tags',
  title: 'Cluster is not tagged',
  severity: 'low',
  defaultMode: 'off',
  resourceType: 'AWS::ECS::Cluster',
  appliesTo: 'Cluster',
  description:
    'Opt-in: the cluster has no tag (`aws:` system tags ignored), or lacks a key of `requiredTagKeys`; tags from CreateCluster, TagResource/UntagResource (enrichment) and the sweep.',
  advice: 'Tag every cluster with its owner and environment so findings reach the team that runs it.',
  controls: { securityHub: 'ECS.14' },
  // The project's own mapping: Security Hub lists no requirement for ECS.14 (an inventory of components).
  ownFrameworks: { 'nist-800-53-r5': ['CM-8'], 'pci-dss-4.0.1': ['12.5.1'] },
  params: REQUIRED_TAGS_PARAMS,
  check: (c, p) => missingTagsEvidence(c.tags, p, `cluster "${c.name}"`),
});
