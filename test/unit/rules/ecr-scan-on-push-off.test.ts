/**
 * ecr-scan-on-push-off (ECR.1): the repository (CreateRepository, PutImageScanningConfiguration) and the
 * registry (PutRegistryScanningConfiguration, request shape of the ECR API Reference).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ACCOUNT, REGION, cloudTrailEvent, evaluateOne, only, withRule } from './helpers';

const DOC_EXAMPLE = JSON.parse(readFileSync('events/cloudtrail-ecr-create-repository-defaults.json', 'utf8'));
const COMPLIANT = JSON.parse(
  readFileSync('events/compliant/cloudtrail-ecr-create-repository-immutable-scan-on-push.json', 'utf8'),
);
const ecrCall = (eventName: string, requestParameters: unknown, responseElements?: unknown) =>
  cloudTrailEvent({ eventSource: 'ecr.amazonaws.com', eventName, requestParameters, responseElements });
const REGISTRY_ARN = `arn:aws:ecr:${REGION}:${ACCOUNT}:registry-scanning-configuration`;

describe('ecr-scan-on-push-off', () => {
  it("the AWS documentation's CreateRepository (no scanning configuration shown): ECR's default, not scanned", async () => {
    const f = only((await evaluateOne(DOC_EXAMPLE)).findings, 'ecr-scan-on-push-off');
    expect(f.severity).toBe('high');
    expect(f.evidence).toEqual([
      {
        path: 'imageScanningConfiguration.scanOnPush',
        message:
          'repository testrepo does not scan images on push (unless a registry scanning rule covers it)',
      },
    ]);
    expect(f.frameworks).toMatchObject({ 'nist-800-53-r5': ['RA-5'], 'pci-dss-4.0.1': ['6.2.3', '6.2.4'] });
  });

  it('a repository created immutable with scan on push fires neither ECR rule; its tags come from the request', async () => {
    const r = await evaluateOne(COMPLIANT);
    expect(withRule(r.findings, 'ecr-scan-on-push-off')).toEqual([]);
    expect(withRule(r.findings, 'ecr-mutable-tags')).toEqual([]);
  });

  it('PutImageScanningConfiguration false fires; true does not; mutability stays unknown', async () => {
    const off = await evaluateOne(
      ecrCall(
        'PutImageScanningConfiguration',
        { repositoryName: 'checkout-api', imageScanningConfiguration: { scanOnPush: false } },
        {
          registryId: ACCOUNT,
          repositoryName: 'checkout-api',
          imageScanningConfiguration: { scanOnPush: false },
        },
      ),
    );
    expect(withRule(off.findings, 'ecr-scan-on-push-off')).toHaveLength(1);
    expect(withRule(off.findings, 'ecr-mutable-tags')).toEqual([]);
    const on = await evaluateOne(
      ecrCall('PutImageScanningConfiguration', {
        repositoryName: 'checkout-api',
        imageScanningConfiguration: { scanOnPush: true },
      }),
    );
    expect(on.findings).toEqual([]);
  });

  it('PutRegistryScanningConfiguration: no scanning rule fires on the registry; a SCAN_ON_PUSH or CONTINUOUS_SCAN rule does not', async () => {
    const manual = await evaluateOne(
      ecrCall('PutRegistryScanningConfiguration', {
        scanType: 'BASIC',
        rules: [{ scanFrequency: 'MANUAL', repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }] }],
      }),
    );
    const f = only(manual.findings, 'ecr-scan-on-push-off');
    expect(f.resource).toEqual({ type: 'AWS::ECR::RegistryScanningConfiguration', arn: REGISTRY_ARN });
    const none = await evaluateOne(
      ecrCall('PutRegistryScanningConfiguration', { scanType: 'ENHANCED', rules: [] }),
    );
    expect(only(none.findings, 'ecr-scan-on-push-off').evidence[0]!.message).toMatch(/ENHANCED/);
    for (const scanFrequency of ['SCAN_ON_PUSH', 'CONTINUOUS_SCAN']) {
      const ok = await evaluateOne(
        ecrCall('PutRegistryScanningConfiguration', {
          scanType: 'ENHANCED',
          rules: [{ scanFrequency, repositoryFilters: [{ filter: 'prod-*', filterType: 'WILDCARD' }] }],
        }),
      );
      expect(ok.findings, scanFrequency).toEqual([]);
    }
  });

  it('hostile: rules that are not a list, a registry call without parameters (not checked, said so)', async () => {
    await expect(
      evaluateOne(
        ecrCall('PutRegistryScanningConfiguration', {
          scanType: 'BASIC',
          rules: { scanFrequency: 'MANUAL' },
        }),
      ),
    ).rejects.toThrow(/detail\.requestParameters\.rules/);
    const empty = await evaluateOne(ecrCall('PutRegistryScanningConfiguration', null));
    expect(empty.findings).toEqual([]);
    expect(empty.incomplete?.reason).toMatch(/configuration unknown/);
  });
});
