/**
 * runtime-threat-in-task in remediate mode: stop-task acts only on a standalone task, and only when
 * GuardDuty (GetFindings, mocked with aws-sdk-client-mock: moto 5.2.1 has no GetFindings) still holds the
 * finding the event named, not archived, about this very task. The event is never believed on its own.
 */
import { DescribeTasksCommand, ECSClient, StopTaskCommand } from '@aws-sdk/client-ecs';
import { GetFindingsCommand, GuardDutyClient } from '@aws-sdk/client-guardduty';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { normalize } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import { evaluate } from '../../../shared/engine/evaluate';
import { MemoryAuditLog } from '../../../shared/store/audit';
import { MemoryBudget } from '../../../shared/store/budget';
import { Remediator } from '../../../shared/remediation/remediator';
import { HOME, policyWith } from './helpers';

const ecsMock = mockClient(ECSClient);
const gdMock = mockClient(GuardDutyClient);
const R = 'us-east-1';
const CLUSTER = `arn:aws:ecs:${R}:${HOME}:cluster/batch`;
const TASK = `arn:aws:ecs:${R}:${HOME}:task/batch/5e4d3c2b1a0f49e8d7c6b5a4f3e2d1c0`;
const DETECTOR = '12abc34d567e8fa901bc2d34e56789f0';
const FINDING_ID = 'b7c8d9e0f1a24b3c8d9e0f1a2b3c4d5e';
const FINDING_ARN = `arn:aws:guardduty:${R}:${HOME}:detector/${DETECTOR}/finding/${FINDING_ID}`;
const creds = { accessKeyId: 'a', secretAccessKey: 'b' };

/** A GuardDuty Runtime Monitoring event naming TASK (group family:... is standalone, service:... is not). */
function event(group: string) {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'GuardDuty Finding',
    source: 'aws.guardduty',
    account: HOME,
    time: '2026-03-02T14:21:07Z',
    region: R,
    resources: [],
    detail: {
      accountId: HOME,
      region: R,
      id: FINDING_ID,
      arn: FINDING_ARN,
      type: 'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
      severity: 8,
      resource: {
        resourceType: 'ECSCluster',
        ecsClusterDetails: { arn: CLUSTER, taskDetails: { arn: TASK, group } },
      },
      service: { archived: false, count: 1 },
    },
  };
}

const runningTask = (group: string) => ({
  taskArn: TASK,
  clusterArn: CLUSTER,
  group,
  lastStatus: 'RUNNING',
  desiredStatus: 'RUNNING',
  attachments: [],
});

const gdFinding = (over: Record<string, unknown> = {}) => ({
  Id: FINDING_ID,
  Arn: FINDING_ARN,
  AccountId: HOME,
  Region: R,
  Type: 'CryptoCurrency:Runtime/BitcoinTool.B!DNS',
  Severity: 8,
  CreatedAt: '2026-03-02T14:20:51.128Z',
  UpdatedAt: '2026-03-02T14:20:51.128Z',
  SchemaVersion: '2.0',
  Resource: { ResourceType: 'ECSCluster', EcsClusterDetails: { Arn: CLUSTER, TaskDetails: { Arn: TASK } } },
  Service: { Archived: false, Count: 1 },
  ...over,
});

async function remediate(group: string) {
  const policy = policyWith(['runtime-threat-in-task']);
  const n = normalize(parseEvent(event(group)));
  const [finding] = evaluate(n, { policy }).findings;
  const audit = new MemoryAuditLog();
  const r = new Remediator({
    policy,
    clients: {
      allows: async () => true,
      ecs: async () => ({
        ecs: new ECSClient({ region: R, credentials: creds }),
        guardDuty: async () => new GuardDutyClient({ region: R, credentials: creds }),
      }),
    },
    budget: new MemoryBudget(),
    audit,
  });
  return { out: await r.remediate(finding!, { resources: n.resources }), audit };
}

beforeEach(() => {
  ecsMock.reset();
  gdMock.reset();
  ecsMock.on(StopTaskCommand).resolves({});
});

describe('runtime-threat-in-task: stop-task with GuardDuty verification', () => {
  it("a standalone task GuardDuty still reports: stopped, after GetFindings for the event's finding", async () => {
    ecsMock
      .on(DescribeTasksCommand)
      .resolvesOnce({ tasks: [runningTask('family:miner')] })
      .resolves({ tasks: [{ ...runningTask('family:miner'), desiredStatus: 'STOPPED' }] });
    gdMock.on(GetFindingsCommand).resolves({ Findings: [gdFinding()] });
    const { out } = await remediate('family:miner');
    expect(out.action).toMatchObject({ name: 'stop-task', status: 'done' });
    expect(gdMock.commandCalls(GetFindingsCommand)[0]!.args[0].input).toEqual({
      DetectorId: DETECTOR,
      FindingIds: [FINDING_ID],
    });
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(1);
  });

  it('forged or stale: GuardDuty has no such finding, archived it, or it names another task -> not violated now, no StopTask', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask('family:miner')] });
    for (const answer of [
      { Findings: [] },
      { Findings: [gdFinding({ Service: { Archived: true } })] },
      {
        Findings: [
          gdFinding({
            Resource: {
              EcsClusterDetails: { TaskDetails: { Arn: `${CLUSTER.replace('cluster', 'task')}/other` } },
            },
          }),
        ],
      },
    ]) {
      gdMock.reset();
      gdMock.on(GetFindingsCommand).resolves(answer);
      const { out } = await remediate('family:miner');
      expect(out.action, JSON.stringify(answer)).toEqual({
        name: 'stop-task',
        status: 'skipped',
        reason: 'not violated now',
      });
    }
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it("a service's task is never stopped (its service would start another)", async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask('service:checkout-api')] });
    gdMock.on(GetFindingsCommand).resolves({ Findings: [gdFinding()] });
    const { out } = await remediate('service:checkout-api');
    expect(out.action?.status).toBe('skipped');
    expect(out.action?.reason).toMatch(/service checkout-api/);
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });

  it('GetFindings denied: failed, naming guardduty:GetFindings, no StopTask', async () => {
    ecsMock.on(DescribeTasksCommand).resolves({ tasks: [runningTask('family:miner')] });
    gdMock.on(GetFindingsCommand).rejects(
      Object.assign(new Error('not authorized'), {
        name: 'AccessDeniedException',
        $fault: 'client',
        $metadata: {},
      }),
    );
    const { out } = await remediate('family:miner');
    expect(out.action?.status).toBe('failed');
    expect(out.action?.reason).toContain('guardduty:GetFindings');
    expect(ecsMock.commandCalls(StopTaskCommand)).toHaveLength(0);
  });
});
