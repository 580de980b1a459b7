/**
 * The Security Hub channel imports each finding in its own account and region (aws-sdk-client-mock; the
 * same path against moto: test/integration/organization-securityhub.test.ts): one client and one
 * BatchImportFindings per (account, region), a member's with that account's credentials, a refused role
 * failing its findings only, and no AssumeRole started when the deadline leaves no room for it.
 */
import { BatchImportFindingsCommand, SecurityHubClient } from '@aws-sdk/client-securityhub';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AccountAccessError } from '../../../shared/aws/call-error';
import type { AssumedCredentials, CredentialsSource } from '../../../shared/aws/client-pool';
import type { Finding } from '../../../shared/model/finding';
import type { DeliveryItem, Outcome, Target } from '../../../shared/notify/channels/channel';
import { securityHubChannel } from '../../../shared/notify/channels/securityhub';
import { finding, notification } from './fixtures';

const HOME = '123456789012';
const MEMBER = '222222222222';
const REFUSED = '333333333333';
const hub = mockClient(SecurityHubClient);
const TARGET: Target = { key: 'securityhub', channel: 'securityHub' };

/** Home: ambient credentials; MEMBER: assumed ones; REFUSED: the role cannot be assumed. */
function fakeCredentials(): CredentialsSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async credentialsFor(account: string, region: string): Promise<AssumedCredentials | undefined> {
      asked.push(`${account}/${region}`);
      if (account === HOME) return undefined;
      if (account === REFUSED)
        throw new AccountAccessError(
          account,
          'ecs-guardrail-findings',
          'AccessDenied',
          'AccessDenied on sts:AssumeRole',
        );
      return {
        roleArn: `arn:aws:iam::${account}:role/ecs-guardrail-findings`,
        accessKeyId: `ASIA${account}`,
        secretAccessKey: 'member-secret',
        sessionToken: 't',
      };
    },
  };
}

function findingIn(account: string, region: string): Finding {
  const f = finding({ account, region });
  return {
    ...f,
    resource: { ...f.resource, arn: f.resource.arn.replace(`:us-east-1:${HOME}:`, `:${region}:${account}:`) },
  };
}

async function deliver(
  findings: Finding[],
  credentials: CredentialsSource,
  deadline?: number,
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>();
  const items: DeliveryItem[] = findings.map((f) => ({ n: notification(f), target: TARGET }));
  await securityHubChannel.open({ credentials, sleep: async () => undefined }).deliver(items, {
    now: Date.now,
    ...(deadline !== undefined ? { deadline } : {}),
    done: async (item, outcome) => {
      outcomes.set(`${item.n.finding.account}/${item.n.finding.region}`, outcome);
    },
  });
  return outcomes;
}

beforeEach(() => {
  hub.reset();
  hub.on(BatchImportFindingsCommand).resolves({ FailedCount: 0, SuccessCount: 1, FailedFindings: [] });
});

describe('Security Hub: each finding in its own account and region', () => {
  it('one import per (account, region), with that account and region in every finding and on the client', async () => {
    const creds = fakeCredentials();
    const outcomes = await deliver(
      [findingIn(HOME, 'us-east-1'), findingIn(MEMBER, 'eu-west-1'), findingIn(MEMBER, 'us-east-1')],
      creds,
    );
    expect([...outcomes.values()]).toEqual([undefined, undefined, undefined]);
    const calls = hub.commandCalls(BatchImportFindingsCommand);
    expect(calls).toHaveLength(3);
    const seen = await Promise.all(
      calls.map(async (c) => {
        const client = c.thisValue as SecurityHubClient;
        const [f, ...rest] = c.args[0].input.Findings!;
        expect(rest).toEqual([]);
        const identity = await (client.config.credentials as () => Promise<{ accessKeyId: string }>)().catch(
          () => undefined,
        );
        return {
          region: await client.config.region(),
          account: f!.AwsAccountId,
          product: f!.ProductArn,
          key: identity?.accessKeyId,
        };
      }),
    );
    expect(seen).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          region: 'eu-west-1',
          account: MEMBER,
          product: `arn:aws:securityhub:eu-west-1:${MEMBER}:product/${MEMBER}/default`,
          key: `ASIA${MEMBER}`,
        }),
        expect.objectContaining({
          region: 'us-east-1',
          account: MEMBER,
          product: `arn:aws:securityhub:us-east-1:${MEMBER}:product/${MEMBER}/default`,
          key: `ASIA${MEMBER}`,
        }),
        expect.objectContaining({
          region: 'us-east-1',
          account: HOME,
          product: `arn:aws:securityhub:us-east-1:${HOME}:product/${HOME}/default`,
        }),
      ]),
    );
    // The home account's client never gets the member's keys.
    expect(seen.find((s) => s.account === HOME)?.key).not.toBe(`ASIA${MEMBER}`);
  });

  it('a refused member role fails its findings only (not retryable, account and role named, no secret)', async () => {
    const outcomes = await deliver(
      [findingIn(REFUSED, 'us-east-1'), findingIn(MEMBER, 'eu-west-1')],
      fakeCredentials(),
    );
    expect(outcomes.get(`${MEMBER}/eu-west-1`)).toBeUndefined();
    expect(outcomes.get(`${REFUSED}/us-east-1`)).toEqual({
      target: 'securityhub',
      error: 'AccountAccessError',
      message: `no access to account ${REFUSED} (role ecs-guardrail-findings): AccessDenied on sts:AssumeRole`,
      retryable: false,
    });
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(1);
  });

  it('no AssumeRole is started when it and one import no longer fit before the deadline', async () => {
    const creds = fakeCredentials();
    const outcomes = await deliver([findingIn(MEMBER, 'eu-west-1')], creds, Date.now() + 1_000);
    expect(outcomes.get(`${MEMBER}/eu-west-1`)).toMatchObject({
      error: 'NotAttempted',
      retryable: true,
      attempted: false,
    });
    expect(creds.asked).toEqual([]);
    expect(hub.commandCalls(BatchImportFindingsCommand)).toHaveLength(0);
  });
});
