/**
 * The organization sweep's failure handling per pair, with real SDK clients over a fake HTTP handler
 * (moto cannot throttle or deny): a role that cannot be assumed, throttling beyond the retries (the
 * per-pair Lambda throws SweepThrottled for the state machine to retry), a denied listing, a store that
 * fails, an account outside the allow-list; one failing pair never stops the others.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { describe, expect, it, vi } from 'vitest';
import {
  pairOf,
  pairsOf,
  sweepHandler,
  type PairResult,
  type SweepFunctionDeps,
} from '../../../functions/edge/sweep-handler';
import { RemediationCallError } from '../../../shared/aws/call-error';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import type { Policy } from '../../../shared/policy/types';
import { MemoryFindingStore } from '../../../shared/store/memory-store';
import { MemoryTaskDefinitionCache } from '../../../shared/store/td-cache';
import { CallCounter } from '../../../shared/sweep/call-counter';
import type { PairClients, SweepClientPool } from '../../../shared/sweep/clients';
import { sweepOrganization, sweepPair } from '../../../shared/sweep/organization';

const HOME = '123456789012';
const MEMBER = '210987654321';
const R = 'eu-west-1';

type Reply = { status?: number; errorType?: string; body: unknown };

function fakeClient<C>(Client: new (config: never) => C, reply: (op: string) => Reply): C {
  const handler = {
    handle: async (req: { headers: Record<string, string> }) => {
      const target = req.headers['x-amz-target'];
      const r = reply(target ? target.split('.').pop()! : 'ec2');
      return {
        response: {
          statusCode: r.status ?? 200,
          headers: {
            'content-type': 'application/x-amz-json-1.1',
            ...(r.errorType ? { 'x-amzn-errortype': r.errorType } : {}),
          },
          body: Buffer.from(JSON.stringify(r.body)),
        },
      };
    },
    updateHttpClientConfig: () => {},
    httpHandlerConfigs: () => ({}),
  };
  return new Client({
    region: R,
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    maxAttempts: 1,
    requestHandler: handler,
  } as never);
}

/** An empty estate, or every call answered with `error`. */
function clientsFor(error?: { status: number; type: string }): PairClients {
  const reply = (): Reply =>
    error
      ? { status: error.status, errorType: error.type, body: { message: `${error.type} here` } }
      : { body: {} };
  const counter = new CallCounter();
  const clients = {
    ecs: counter.attach(fakeClient(ECSClient, reply)),
    ec2: counter.attach(fakeClient(EC2Client, reply)),
  };
  return { clients, counter };
}

const awsError = (name: string, status: number) =>
  Object.assign(new Error(`${name}: not for you`), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
  });

function poolOf(get: (account: string, region: string) => Promise<PairClients>): SweepClientPool {
  return { get: vi.fn(get) } as unknown as SweepClientPool;
}

const common = (store = new MemoryFindingStore()) => ({
  roleName: 'ecs-guardrail-read',
  policy: DEFAULT_POLICY,
  store,
  cache: new MemoryTaskDefinitionCache(),
});

describe('sweepPair', () => {
  it('a role that cannot be assumed: failed, "no access to account X (role Y)", the AWS error name only', async () => {
    const pool = poolOf(async () => {
      throw new RemediationCallError('sts:AssumeRole', awsError('AccessDenied', 403));
    });
    const o = await sweepPair({ account: MEMBER, region: R }, { ...common(), pool });
    expect(o).toEqual({
      account: MEMBER,
      region: R,
      status: 'failed',
      findings: 0,
      resolved: 0,
      calls: 0,
      failure: 'access-denied',
      reason: `no access to account ${MEMBER} (role arn:aws:iam::${MEMBER}:role/ecs-guardrail-read): AccessDenied`,
    });
    expect(o.reason).not.toContain('not for you');
  });

  it('a denied cluster listing: failed (nothing read), the gap as its reason', async () => {
    const pool = poolOf(async () => clientsFor({ status: 400, type: 'AccessDeniedException' }));
    const o = await sweepPair({ account: MEMBER, region: R }, { ...common(), pool });
    expect(o.status).toBe('failed');
    expect(o.failure).toBe('access-denied');
    expect(o.reason).toMatch(/^2 gap\(s\): missed every cluster.*\(ListClusters: AccessDeniedException\)/);
    expect(o.calls).toBe(2); // ListClusters and ListTaskDefinitions, not retried
  });

  it('a store that fails: this pair is failed with the error name, the next pair still completes', async () => {
    const store = new MemoryFindingStore();
    let broken = true;
    vi.spyOn(store, 'listOpen').mockImplementation(() => {
      if (broken) {
        broken = false;
        throw awsError('ProvisionedThroughputExceededException', 400);
      }
      return (async function* () {})();
    });
    const outcomes = await sweepOrganization(
      [
        { account: HOME, region: R },
        { account: MEMBER, region: R },
      ],
      { ...common(store), pool: poolOf(async () => clientsFor()), pairConcurrency: 1 },
    );
    expect(outcomes.map((o) => [o.account, o.status, o.reason])).toEqual([
      [HOME, 'failed', 'sweep failed (ProvisionedThroughputExceededException)'],
      [MEMBER, 'complete', undefined],
    ]);
  });

  it('one pair whose credentials fail never blocks the others (results in plan order)', async () => {
    const pool = poolOf(async (account) => {
      if (account === MEMBER) throw new RemediationCallError('sts:AssumeRole', awsError('AccessDenied', 403));
      return clientsFor();
    });
    const pairs = ['111111111111', MEMBER, '333333333333'].map((account) => ({ account, region: R }));
    const done: string[] = [];
    const outcomes = await sweepOrganization(pairs, {
      ...common(),
      pool,
      pairConcurrency: 2,
      onPairDone: (o, n, total) => done.push(`${n}/${total}`),
    });
    expect(outcomes.map((o) => o.status)).toEqual(['complete', 'failed', 'complete']);
    expect(done).toEqual(['1/3', '2/3', '3/3']);
  });
});

describe('the sweep function with a Map item', () => {
  const context = {
    invokedFunctionArn: `arn:aws:lambda:${R}:${HOME}:function:sweep`,
    getRemainingTimeInMillis: () => 600_000,
  } as unknown as Context;

  const handlerWith = (pool: SweepClientPool, policy: Policy = DEFAULT_POLICY) => {
    const own = clientsFor();
    const deps: SweepFunctionDeps = {
      ...common(),
      policy,
      clients: own.clients,
      concurrency: 2,
      pairs: { pool, roleName: 'ecs-guardrail-read' },
    };
    return sweepHandler(() => deps) as (e: unknown, c: Context) => Promise<PairResult>;
  };

  it('throttled beyond the retries (AssumeRole or every call): throws SweepThrottled for the state machine to retry', async () => {
    const assume = handlerWith(
      poolOf(async () => {
        throw new RemediationCallError('sts:AssumeRole', awsError('Throttling', 400));
      }),
    );
    await expect(assume({ account: MEMBER, region: R }, context)).rejects.toMatchObject({
      name: 'SweepThrottled',
    });
    const listing = handlerWith(poolOf(async () => clientsFor({ status: 400, type: 'ThrottlingException' })));
    await expect(listing({ account: MEMBER, region: R }, context)).rejects.toMatchObject({
      name: 'SweepThrottled',
      message: expect.stringContaining(`${MEMBER} ${R}`),
    });
  });

  it('an account outside scope.allowAccounts is refused without any AWS call', async () => {
    const pool = poolOf(async () => clientsFor());
    const handler = handlerWith(pool, { ...DEFAULT_POLICY, scope: { allowAccounts: [HOME] } });
    expect(await handler({ account: MEMBER, region: R }, context)).toEqual({
      account: MEMBER,
      region: R,
      status: 'failed',
      findings: 0,
      resolved: 0,
      calls: 0,
      reason: `account ${MEMBER} is not on the allow-list (scope.allowAccounts)`,
    });
    expect(pool.get).not.toHaveBeenCalled();
  });

  it('a scheduled event, an empty input or none sweeps the own account as before; anything else must be a pair', () => {
    expect(pairOf({ 'detail-type': 'Scheduled Event', account: MEMBER, region: R })).toBeUndefined();
    expect(pairOf({})).toBeUndefined();
    expect(pairOf(undefined)).toBeUndefined();
    expect(pairOf({ account: MEMBER, region: R })).toEqual({ account: MEMBER, region: R });
    expect(() => pairOf({ region: R })).toThrow('sweep input account: is required');
  });
});

describe("the sweep function's read role", () => {
  it("is the policy's organization.readRoleName, with its external id and the sweep's session name", async () => {
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({ Account: HOME });
    sts.on(AssumeRoleCommand).resolves({
      Credentials: {
        AccessKeyId: 'AKIA',
        SecretAccessKey: 'secret',
        SessionToken: 'token',
        Expiration: new Date(Date.now() + 3_600_000),
      },
    });
    try {
      const pairs = pairsOf({
        ...DEFAULT_POLICY,
        organization: { readRoleName: 'SecurityRead', findingsRoleName: 'f', externalId: 'ext-123' },
      });
      expect(pairs.roleName).toBe('SecurityRead');
      const member = await pairs.pool.get(MEMBER, R);
      expect(member.roleArn).toBe(`arn:aws:iam::${MEMBER}:role/SecurityRead`);
      expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).toMatchObject({
        RoleArn: `arn:aws:iam::${MEMBER}:role/SecurityRead`,
        RoleSessionName: 'ecs-guardrail-sweep',
        ExternalId: 'ext-123',
      });
      // The home account: its own credentials, no AssumeRole.
      expect((await pairs.pool.get(HOME, R)).roleArn).toBeUndefined();
      expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    } finally {
      sts.restore();
    }
  });
});
