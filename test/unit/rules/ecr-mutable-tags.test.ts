/**
 * ecr-mutable-tags (ECR.2). The CreateRepository record is the AWS documentation's example (Amazon ECR
 * User Guide, "Logging Amazon ECR actions with AWS CloudTrail", Example: Create repository action), kept
 * in events/cloudtrail-ecr-create-repository-defaults.json.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RepositoryResource } from '../../../shared/model/resources';
import { ACCOUNT, REGION, check, cloudTrailEvent, evaluateOne, only, withRule } from './helpers';

const DOC_EXAMPLE = JSON.parse(readFileSync('events/cloudtrail-ecr-create-repository-defaults.json', 'utf8'));

const repo = (over: Partial<RepositoryResource> = {}): RepositoryResource => ({
  kind: 'Repository',
  arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/checkout-api`,
  account: ACCOUNT,
  region: REGION,
  name: 'checkout-api',
  ...over,
});

const ecrCall = (eventName: string, requestParameters: unknown, responseElements?: unknown) =>
  cloudTrailEvent({ eventSource: 'ecr.amazonaws.com', eventName, requestParameters, responseElements });

describe('ecr-mutable-tags', () => {
  it('fires on MUTABLE and MUTABLE_WITH_EXCLUSION (any case), not on IMMUTABLE* or an unknown setting', () => {
    expect(check('ecr-mutable-tags', repo({ imageTagMutability: 'MUTABLE' }))).toEqual([
      {
        path: 'imageTagMutability',
        message: 'repository checkout-api lets a push overwrite an existing tag (MUTABLE)',
      },
    ]);
    expect(check('ecr-mutable-tags', repo({ imageTagMutability: ' mutable_with_exclusion' }))).toHaveLength(
      1,
    );
    expect(check('ecr-mutable-tags', repo({ imageTagMutability: 'IMMUTABLE' }))).toEqual([]);
    expect(check('ecr-mutable-tags', repo({ imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION' }))).toEqual([]);
    expect(check('ecr-mutable-tags', repo())).toEqual([]);
  });

  it("the AWS documentation's CreateRepository record (no setting shown): ECR's create default MUTABLE", async () => {
    const f = only((await evaluateOne(DOC_EXAMPLE)).findings, 'ecr-mutable-tags');
    expect(f.resource).toEqual({
      type: 'AWS::ECR::Repository',
      arn: 'arn:aws:ecr:us-east-2:123456789012:repository/testrepo',
    });
    expect(f.account).toBe('123456789012');
    expect(f.frameworks?.['nist-800-53-r5']).toEqual(['CA-9(1)', 'CM-2', 'CM-8(1)']);
  });

  it('PutImageTagMutability: MUTABLE fires, IMMUTABLE does not (and says nothing about scanning)', async () => {
    const req = (m: string) => ({ repositoryName: 'payments/checkout-api', imageTagMutability: m });
    const answer = (m: string) => ({
      registryId: ACCOUNT,
      repositoryName: 'payments/checkout-api',
      imageTagMutability: m,
    });
    const mutable = await evaluateOne(ecrCall('PutImageTagMutability', req('MUTABLE'), answer('MUTABLE')));
    expect(only(mutable.findings, 'ecr-mutable-tags').resource.arn).toBe(
      `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/payments/checkout-api`,
    );
    expect(withRule(mutable.findings, 'ecr-scan-on-push-off')).toEqual([]);
    const fixed = await evaluateOne(ecrCall('PutImageTagMutability', req('IMMUTABLE'), answer('IMMUTABLE')));
    expect(withRule(fixed.findings, 'ecr-mutable-tags')).toEqual([]);
  });

  it("the response (ECR's answer) wins over the request; a failed call changes nothing", async () => {
    const lying = ecrCall(
      'PutImageTagMutability',
      { repositoryName: 'checkout-api', imageTagMutability: 'IMMUTABLE' },
      { registryId: ACCOUNT, repositoryName: 'checkout-api', imageTagMutability: 'MUTABLE' },
    );
    expect(withRule((await evaluateOne(lying)).findings, 'ecr-mutable-tags')).toHaveLength(1);
    const failed = cloudTrailEvent({
      eventSource: 'ecr.amazonaws.com',
      eventName: 'PutImageTagMutability',
      errorCode: 'RepositoryNotFoundException',
      requestParameters: { repositoryName: 'checkout-api', imageTagMutability: 'MUTABLE' },
    });
    expect((await evaluateOne(failed)).findings).toEqual([]);
  });

  it('hostile: another registry, a name ECR refuses, a wrong JSON type', async () => {
    const other = await evaluateOne(
      ecrCall('PutImageTagMutability', {
        registryId: '999999999999',
        repositoryName: 'x1',
        imageTagMutability: 'MUTABLE',
      }),
    );
    expect(other.findings).toEqual([]);
    expect(other.incomplete?.reason).toMatch(/registryId names another account/);
    const badName = await evaluateOne(
      ecrCall('CreateRepository', { repositoryName: '../../Evil Name\u001b[31m' }),
    );
    expect(badName.findings).toEqual([]);
    expect(badName.incomplete?.reason).toMatch(/not one ECR accepts/);
    await expect(
      evaluateOne(
        ecrCall('PutImageTagMutability', { repositoryName: 'x1', imageTagMutability: ['MUTABLE'] }),
      ),
    ).rejects.toThrow(/detail\.requestParameters\.imageTagMutability/);
  });
});
