/**
 * ecr-scan-on-push-off: images pushed to an ECR repository are not scanned for vulnerabilities (ECR.1).
 * Judged on the repository (CreateRepository / PutImageScanningConfiguration) and on the registry's
 * scanning configuration (PutRegistryScanningConfiguration: no rule scans on push or continuously).
 */
import type { RegistryScanningResource } from '../model/resources';
import type { Evidence } from '../model/finding';
import { resourceRule } from './types';

/** The scan frequencies that scan an image when (or after) it is pushed. */
const SCANS = new Set(['SCAN_ON_PUSH', 'CONTINUOUS_SCAN']);

function registryEvidence(r: RegistryScanningResource): Evidence[] {
  if (r.rules.some((rule) => SCANS.has(rule.scanFrequency.trim().toUpperCase()))) return [];
  return [
    {
      path: 'rules',
      message: `registry scanning (${r.scanType ?? 'BASIC'}) has no rule that scans on push or continuously: no repository is scanned unless set on the repository itself`,
    },
  ];
}

export const ecrScanOnPushOff = resourceRule({
  family: 'resource',
  id: 'ecr-scan-on-push-off',
  title: 'ECR images are not scanned on push',
  severity: 'high',
  resourceType: 'AWS::ECR::Repository',
  appliesTo: 'Repository',
  description:
    'CreateRepository or PutImageScanningConfiguration with `scanOnPush` false (or not set), or PutRegistryScanningConfiguration without a `SCAN_ON_PUSH` or `CONTINUOUS_SCAN` rule.',
  advice:
    'Scan every image on push (registry scanning rules, or Amazon Inspector enhanced scanning) so a vulnerable image is known before it runs.',
  controls: {
    securityHub: 'ECR.1',
    config: 'ecr-private-image-scanning-enabled',
    checkov: 'CKV_AWS_163',
    seeds: ['F-02 Scan your images for vulnerabilities'],
  },
  // The sweep reads no ECR repository and no GuardDuty finding.
  eventOnly: true,
  check: (r) =>
    r.scanOnPush === false
      ? [
          {
            path: 'imageScanningConfiguration.scanOnPush',
            message: `repository ${r.name} does not scan images on push (unless a registry scanning rule covers it)`,
          },
        ]
      : [],
  alsoChecks: { RegistryScanning: registryEvidence },
});
