/** ecr-mutable-tags: an ECR repository lets a pushed tag be overwritten with another image (ECR.2). */
import { resourceRule } from './types';

/** The tag mutability settings that let a tag be moved (the `_WITH_EXCLUSION` form still does for most tags). */
const MUTABLE = new Set(['MUTABLE', 'MUTABLE_WITH_EXCLUSION']);

export const ecrMutableTags = resourceRule({
  family: 'resource',
  id: 'ecr-mutable-tags',
  title: 'ECR repository tags are mutable',
  severity: 'medium',
  resourceType: 'AWS::ECR::Repository',
  appliesTo: 'Repository',
  description:
    'CreateRepository (without `imageTagMutability`, or with `MUTABLE`) or PutImageTagMutability with `MUTABLE` or `MUTABLE_WITH_EXCLUSION`.',
  advice:
    'Make repository tags immutable so a tag always names the image that was reviewed and scanned; deploy by digest or unique tags.',
  controls: {
    securityHub: 'ECR.2',
    config: 'ecr-private-tag-immutability-enabled',
    checkov: 'CKV_AWS_51',
    seeds: ['F-01 Use immutable tags with Amazon ECR'],
  },
  // The sweep reads no ECR repository and no GuardDuty finding.
  eventOnly: true,
  // Security Hub lists no PCI DSS requirement for ECR.2: the project's own mapping (change control).
  ownFrameworks: { 'pci-dss-4.0.1': ['6.5.1'] },
  check: (r) => {
    const m = r.imageTagMutability?.trim().toUpperCase();
    if (m === undefined || !MUTABLE.has(m)) return [];
    return [
      {
        path: 'imageTagMutability',
        message:
          m === 'MUTABLE'
            ? `repository ${r.name} lets a push overwrite an existing tag (MUTABLE)`
            : `repository ${r.name} lets a push overwrite every tag but the excluded ones (MUTABLE_WITH_EXCLUSION)`,
      },
    ];
  },
});
