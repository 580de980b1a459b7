/**
 * account-ecs-runtime-monitoring-off through the sweep against moto_server's GuardDuty: ListDetectors and
 * GetDetector with `features` (moto 5.2.1 stores CreateDetector/UpdateDetector features verbatim and
 * returns them; it does not add the features AWS enables by default nor `UpdatedAt`).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import {
  CreateDetectorCommand,
  GuardDutyClient,
  UpdateDetectorCommand,
  type DetectorFeatureConfiguration,
} from '@aws-sdk/client-guardduty';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../shared/policy/load';
import { MemoryFindingStore } from '../../shared/store/memory-store';
import { runScan } from '../../shared/sweep/run';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';

const ACCOUNT = '123456789012'; // moto's default account
const REGION = 'us-east-1';
const RULE = 'account-ecs-runtime-monitoring-off';

let moto: Moto;
let guardDuty: GuardDutyClient;
const clients = () => ({
  ecs: new ECSClient(motoClientConfig(moto, REGION)),
  ec2: new EC2Client(motoClientConfig(moto, REGION)),
});

const runtime = (
  status: 'ENABLED' | 'DISABLED',
  ecsAgent: 'ENABLED' | 'DISABLED',
): DetectorFeatureConfiguration[] => [
  {
    Name: 'RUNTIME_MONITORING',
    Status: status,
    AdditionalConfiguration: [{ Name: 'ECS_FARGATE_AGENT_MANAGEMENT', Status: ecsAgent }],
  },
];

async function scan(store = new MemoryFindingStore(), withGuardDuty = true) {
  return runScan({
    ...clients(),
    ...(withGuardDuty ? { guardDuty } : {}),
    account: ACCOUNT,
    region: REGION,
    policy: DEFAULT_POLICY,
    store,
  });
}
const ruleFindings = (o: Awaited<ReturnType<typeof scan>>) =>
  o.evaluation.findings.filter((f) => f.ruleId === RULE);

beforeAll(async () => {
  moto = await startMoto();
  guardDuty = new GuardDutyClient(motoClientConfig(moto, REGION));
}, 30_000);
afterAll(() => moto?.stop());
beforeEach(() => moto.reset());

describe('GuardDuty detector in the sweep (moto)', () => {
  it('no detector: one finding on detector/none; the sweep stays complete', async () => {
    const o = await scan();
    expect(o.sweep.complete).toBe(true);
    const [f] = ruleFindings(o);
    expect(f?.resource).toEqual({
      type: 'AWS::GuardDuty::Detector',
      arn: `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/none`,
    });
    expect(f?.evidence[0]?.message).toBe('GuardDuty has no detector in this account and region');
  });

  it('a detector without ECS agent management fires; enabling it resolves the finding on the next sweep', async () => {
    const { DetectorId } = await guardDuty.send(
      new CreateDetectorCommand({ Enable: true, Features: runtime('ENABLED', 'DISABLED') }),
    );
    const store = new MemoryFindingStore();
    const first = await scan(store);
    expect(ruleFindings(first).map((f) => f.evidence.map((e) => e.path))).toEqual([
      ['features.RUNTIME_MONITORING.additionalConfiguration.ECS_FARGATE_AGENT_MANAGEMENT'],
    ]);
    expect(ruleFindings(first)[0]!.resource.arn).toBe(
      `arn:aws:guardduty:${REGION}:${ACCOUNT}:detector/${DetectorId}`,
    );
    await guardDuty.send(new UpdateDetectorCommand({ DetectorId, Features: runtime('ENABLED', 'ENABLED') }));
    const second = await scan(store, true);
    expect(ruleFindings(second)).toEqual([]);
    expect(second.reconcile.resolved.map((r) => r.record.finding.ruleId)).toContain(RULE);
  });

  it('without a GuardDuty client (or a denied read) the rule is not evaluated, so its open finding is not resolved', async () => {
    const store = new MemoryFindingStore();
    await scan(store);
    const blind = await scan(store, false);
    expect(blind.evaluation.evaluatedRules.has(RULE)).toBe(false);
    expect(blind.reconcile.resolved.map((r) => r.record.finding.ruleId)).not.toContain(RULE);
  });
});
