/**
 * The Remediator with aws-sdk-client-mock: the exact requests each action sends, and the failure paths
 * (throttled, denied, verification, budget and audit stores): failed, recorded, one call, no retry loop.
 */
import {
  DeregisterTaskDefinitionCommand,
  DescribeClustersCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  ListServicesCommand,
  ListTasksCommand,
  StopTaskCommand,
  UpdateClusterCommand,
  UpdateClusterSettingsCommand,
  UpdateServiceCommand,
  type Service,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { allCustomMatcher, type CustomMatcher } from 'aws-sdk-client-mock-vitest';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Policy } from '../../../shared/policy/types';
import { MemoryAuditLog, type AuditLog } from '../../../shared/store/audit';
import { MemoryBudget, type RemediationBudget } from '../../../shared/store/budget';
import type { RemediationClients } from '../../../shared/remediation/clients';
import { RemediationCallError } from '../../../shared/remediation/errors';
import { outcomeOf } from '../../../shared/pipeline/pipeline';
import { Remediator, type RemediatorOptions } from '../../../shared/remediation/remediator';
import { HOME, makeFinding, policyWith } from './helpers';

expect.extend(allCustomMatcher);
declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends CustomMatcher<T> {}
}

const ecsMock = mockClient(ECSClient);
const R = 'us-east-1';
const SVC = `arn:aws:ecs:${R}:${HOME}:service/prod/api`;
const CLUSTER = `arn:aws:ecs:${R}:${HOME}:cluster/prod`;
const TD = `arn:aws:ecs:${R}:${HOME}:task-definition/web:7`;
const TASK = (id: string) => `arn:aws:ecs:${R}:${HOME}:task/prod/${id}`;

const sdkError = (name: string, message = 'Rate exceeded for 10.0.0.1, token=abc') =>
  Object.assign(new Error(message), {
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 1 },
  });

function service(over: Partial<Service> = {}): Service {
  return {
    serviceArn: SVC,
    serviceName: 'api',
    clusterArn: CLUSTER,
    status: 'ACTIVE',
    deploymentController: { type: 'ECS' },
    networkConfiguration: {
      awsvpcConfiguration: {
        subnets: ['subnet-a', 'subnet-b'],
        securityGroups: ['sg-1', 'sg-2'],
        assignPublicIp: 'ENABLED',
      },
    },
    enableExecuteCommand: true,
    tags: [],
    ...over,
  };
}

interface Setup {
  remediator: Remediator;
  audit: MemoryAuditLog;
}

function setup(
  policy: Policy,
  opts: Partial<RemediatorOptions> & { clients?: RemediationClients } = {},
): Setup {
  const audit = new MemoryAuditLog();
  const clients: RemediationClients = opts.clients ?? {
    allows: async () => true,
    ecs: async () => ({
      ecs: new ECSClient({ region: R, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      principal: `arn:aws:iam::${HOME}:role/guardrail`,
    }),
  };
  const remediator = new Remediator({
    policy,
    clients,
    budget: new MemoryBudget(),
    audit,
    newId: (() => {
      let n = 0;
      return () => `a${++n}`;
    })(),
    now: () => new Date('2026-11-22T10:00:00Z'),
    ...opts,
  });
  return { remediator, audit: opts.audit instanceof MemoryAuditLog ? opts.audit : audit };
}

beforeEach(() => {
  ecsMock.reset();
});

describe('exact requests', () => {
  it('a cluster-container-insights-disabled finding on the account setting: no action, no AWS call', async () => {
    const { remediator, audit } = setup(policyWith(['cluster-container-insights-disabled']));
    const finding = makeFinding(
      'cluster-container-insights-disabled',
      'arn:aws:ecs:us-east-1:123456789012:account-setting/containerInsights',
      {
        resource: {
          type: 'AWS::ECS::AccountSetting',
          arn: 'arn:aws:ecs:us-east-1:123456789012:account-setting/containerInsights',
        },
      },
    );
    const out = await remediator.remediate(finding);
    expect(out).toEqual(finding);
    expect(ecsMock.calls()).toHaveLength(0);
    expect(audit.entries).toEqual([]);
  });

  it('enable-container-insights sends UpdateClusterSettings (production), nothing else', async () => {
    ecsMock
      .on(DescribeClustersCommand)
      .resolvesOnce({
        clusters: [
          {
            clusterArn: CLUSTER,
            clusterName: 'prod',
            status: 'ACTIVE',
            settings: [{ name: 'containerInsights', value: 'disabled' }],
          },
        ],
      })
      .resolves({
        clusters: [
          {
            clusterArn: CLUSTER,
            clusterName: 'prod',
            status: 'ACTIVE',
            settings: [{ name: 'containerInsights', value: 'enabled' }],
          },
        ],
      });
    ecsMock.on(UpdateClusterSettingsCommand).resolves({});
    const { remediator, audit } = setup(policyWith(['cluster-container-insights-disabled']));
    const out = await remediator.remediate(makeFinding('cluster-container-insights-disabled', CLUSTER));
    expect(out.action?.status).toBe('done');
    expect(ecsMock).toHaveReceivedCommandExactlyOnceWith(UpdateClusterSettingsCommand, {
      cluster: CLUSTER,
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    });
    expect(ecsMock.commandCalls(UpdateClusterSettingsCommand)[0]!.args[0].input).toEqual({
      cluster: CLUSTER,
      settings: [{ name: 'containerInsights', value: 'enabled' }],
    });
    expect(ecsMock).not.toHaveReceivedCommand(UpdateClusterCommand);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeClustersCommand, {
      clusters: [CLUSTER],
      include: ['SETTINGS', 'TAGS'],
    });
    expect(audit.entries[0]?.calls).toEqual(['ecs:UpdateClusterSettings']);
  });

  it('disable-public-ip sends exactly the current subnets and security groups with DISABLED', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service()] })
      .resolves({
        services: [
          service({
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: ['subnet-b', 'subnet-a'],
                securityGroups: ['sg-2', 'sg-1'],
                assignPublicIp: 'DISABLED',
              },
            },
          }),
        ],
      });
    ecsMock.on(UpdateServiceCommand).resolves({});
    const { remediator } = setup(policyWith(['svc-public-ip']));
    const out = await remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action?.status).toBe('done');
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'prod',
      service: SVC,
      networkConfiguration: {
        awsvpcConfiguration: {
          subnets: ['subnet-a', 'subnet-b'],
          securityGroups: ['sg-1', 'sg-2'],
          assignPublicIp: 'DISABLED',
        },
      },
    });
  });

  it('disable-exec sends enableExecuteCommand false with forceNewDeployment', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service()] })
      .resolves({ services: [service({ enableExecuteCommand: false })] });
    ecsMock.on(UpdateServiceCommand).resolves({});
    const { remediator } = setup(policyWith(['svc-exec-enabled']));
    expect((await remediator.remediate(makeFinding('svc-exec-enabled', SVC))).action?.status).toBe('done');
    expect(ecsMock.commandCalls(UpdateServiceCommand)[0]!.args[0].input).toEqual({
      cluster: 'prod',
      service: SVC,
      enableExecuteCommand: false,
      forceNewDeployment: true,
    });
  });

  it("uses the cluster from the event's resources when the ARN does not carry it", async () => {
    const shortArn = `arn:aws:ecs:${R}:${HOME}:service/api`;
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [service({ serviceArn: shortArn, enableExecuteCommand: false })] });
    const { remediator } = setup(policyWith(['svc-exec-enabled']));
    await remediator.remediate(makeFinding('svc-exec-enabled', shortArn), {
      resources: [
        { kind: 'Service', arn: shortArn, account: HOME, region: R, name: 'api', clusterArn: CLUSTER },
      ],
    });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeServicesCommand, {
      cluster: CLUSTER,
      services: [shortArn],
    });
  });
});

describe('failures: failed, recorded, one call, no retry loop', () => {
  it('UpdateService throttled', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service()] });
    ecsMock.on(UpdateServiceCommand).rejects(sdkError('ThrottlingException'));
    const budget = new MemoryBudget();
    const { remediator, audit } = setup(policyWith(['svc-public-ip']), { budget });
    const out = await remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action).toEqual({
      name: 'disable-public-ip',
      status: 'failed',
      reason: 'ThrottlingException on ecs:UpdateService',
    });
    expect(ecsMock).toHaveReceivedCommandTimes(UpdateServiceCommand, 1);
    expect(ecsMock).toHaveReceivedCommandTimes(DescribeServicesCommand, 1);
    expect(audit.entries).toHaveLength(1);
    expect(audit.entries[0]).toMatchObject({
      status: 'failed',
      reason: 'ThrottlingException on ecs:UpdateService',
      calls: [],
      before: { assignPublicIp: 'ENABLED' },
      trigger: { eventId: 'evt-1' },
    });
    expect(JSON.stringify(audit.entries)).not.toContain('token=abc');
    // The unit stays spent: a failing action cannot be retried in a loop for free.
    expect((await budget.tryConsume(HOME, new Date('2026-11-22T10:00:00Z'), 2)).used).toBe(2);
  });

  it('DeregisterTaskDefinition denied', async () => {
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({
      taskDefinition: {
        taskDefinitionArn: TD,
        family: 'web',
        revision: 7,
        status: 'ACTIVE',
        containerDefinitions: [{ name: 'app', privileged: true }],
      },
      tags: [],
    });
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [] });
    ecsMock
      .on(DeregisterTaskDefinitionCommand)
      .rejects(sdkError('AccessDeniedException', 'User arn:aws:sts::1:assumed-role/x is not authorized'));
    const { remediator, audit } = setup(policyWith(['td-privileged']));
    const out = await remediator.remediate(makeFinding('td-privileged', TD));
    expect(out.action).toEqual({
      name: 'deregister-task-definition',
      status: 'failed',
      reason: 'AccessDeniedException on ecs:DeregisterTaskDefinition',
    });
    expect(ecsMock).toHaveReceivedCommandTimes(DeregisterTaskDefinitionCommand, 1);
    expect(audit.entries.map((e) => e.status)).toEqual(['failed']);
  });

  it('the read before acting fails: nothing is changed and no budget is spent', async () => {
    ecsMock.on(DescribeServicesCommand).rejects(sdkError('ThrottlingException'));
    const budget = new MemoryBudget();
    const { remediator } = setup(policyWith(['svc-public-ip']), { budget });
    const out = await remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action?.reason).toBe(
      'ThrottlingException on ecs:DescribeServices (reading the current state)',
    );
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
    expect((await budget.tryConsume(HOME, new Date('2026-11-22T10:00:00Z'), 1)).allowed).toBe(true);
  });

  it('the member role cannot be assumed', async () => {
    const { remediator, audit } = setup(policyWith(['svc-public-ip']), {
      clients: {
        allows: async () => true,
        ecs: async () => {
          throw new RemediationCallError('sts:AssumeRole', sdkError('AccessDenied'));
        },
      },
    });
    const out = await remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action?.reason).toBe(`no access to account ${HOME}: AccessDenied on sts:AssumeRole`);
    expect(audit.entries[0]?.status).toBe('failed');
  });

  it('the change does not show on the second read: verification failed', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service()] });
    ecsMock.on(UpdateServiceCommand).resolves({});
    const { remediator, audit } = setup(policyWith(['svc-public-ip']));
    const out = await remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action?.reason).toBe(
      'verification failed: the resource is still not compliant after the change',
    );
    expect(audit.entries[0]).toMatchObject({ status: 'failed', calls: ['ecs:UpdateService'] });
  });

  it('the subnets changed under us: verification failed', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service()] })
      .resolves({
        services: [
          service({
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: ['subnet-a'],
                securityGroups: ['sg-1', 'sg-2'],
                assignPublicIp: 'DISABLED',
              },
            },
          }),
        ],
      });
    ecsMock.on(UpdateServiceCommand).resolves({});
    const { remediator } = setup(policyWith(['svc-public-ip']));
    const out = await remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action?.reason).toBe(
      'verification failed: subnets or security groups differ from the ones before the change',
    );
  });

  it('the budget store is unreachable: fail closed, no change', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service()] });
    const budget: RemediationBudget = {
      tryConsume: async () => {
        throw sdkError('ProvisionedThroughputExceededException');
      },
    };
    const { remediator } = setup(policyWith(['svc-public-ip']), { budget });
    const out = await remediator.remediate(makeFinding('svc-public-ip', SVC));
    expect(out.action?.reason).toBe('budget unavailable: ProvisionedThroughputExceededException');
    expect(ecsMock).not.toHaveReceivedCommand(UpdateServiceCommand);
  });

  it('the audit store fails after a change: the outcome stays, the reason says the record failed', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service()] })
      .resolves({ services: [service({ enableExecuteCommand: false })] });
    ecsMock.on(UpdateServiceCommand).resolves({});
    const audit: AuditLog = {
      record: async () => {
        throw sdkError('ResourceNotFoundException');
      },
      list: async () => [],
    };
    const { remediator } = setup(policyWith(['svc-exec-enabled']), { audit });
    const out = await remediator.remediate(makeFinding('svc-exec-enabled', SVC));
    expect(out.action?.status).toBe('done');
    expect(out.action?.reason).toContain('(audit record failed: ResourceNotFoundException)');
  });
});

describe('decisions', () => {
  it('own role: globs in guardrailRoleArns, and an assumed-role ARN without sessionIssuer', async () => {
    const policy = policyWith(
      ['svc-exec-enabled'],
      {},
      { guardrailRoleArns: ['arn:aws:iam::*:role/guardrail-*'] },
    );
    const { remediator } = setup(policy);
    const viaGlob = await remediator.remediate(
      makeFinding('svc-exec-enabled', SVC, { actorRoleArn: 'arn:aws:iam::999988887777:role/guardrail-prod' }),
    );
    expect(viaGlob.action?.reason).toContain(
      "guardrail's own role arn:aws:iam::999988887777:role/guardrail-prod",
    );
    const base = makeFinding('svc-exec-enabled', SVC);
    const viaSession = await remediator.remediate({
      ...base,
      event: { ...base.event, actor: { arn: `arn:aws:sts::${HOME}:assumed-role/guardrail-x/i-123` } },
    });
    expect(viaSession.action?.reason).toContain(`own role arn:aws:iam::${HOME}:role/guardrail-x`);
    expect(ecsMock.calls()).toHaveLength(0);
  });

  it("a similar role name is not the guardrail's", () => {
    const { remediator } = setup(policyWith([], {}, { roleName: 'ecs-guardrail-remediation' }));
    const A = '111122223333';
    expect(
      remediator.isOwnRole({ roleArn: `arn:aws:iam::${A}:role/path/ecs-guardrail-remediation` }, A),
    ).toBeDefined();
    expect(
      remediator.isOwnRole({ roleArn: `arn:aws:iam::${A}:role/not-ecs-guardrail-remediation` }, A),
    ).toBeUndefined();
    expect(
      remediator.isOwnRole({ arn: `arn:aws:iam::${A}:user/ecs-guardrail-remediation` }, A),
    ).toBeUndefined();
  });

  it('the member role name matches only in the account of the event, never in another account (issue 15)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service({ enableExecuteCommand: false })] });
    const { remediator } = setup(
      policyWith(['svc-exec-enabled'], {}, { roleName: 'ecs-guardrail-remediation' }),
    );
    // Someone else's account has a role of the same name: its change is not the guardrail's own.
    const foreign = 'arn:aws:iam::999988887777:role/ecs-guardrail-remediation';
    expect(remediator.isOwnRole({ roleArn: foreign }, HOME)).toBeUndefined();
    const out = await remediator.remediate(makeFinding('svc-exec-enabled', SVC, { actorRoleArn: foreign }));
    expect(out.action?.reason).not.toContain('own role');
    // The same name in the event's own account is the guardrail's member role: never remediated.
    const mine = `arn:aws:iam::${HOME}:role/ecs-guardrail-remediation`;
    const own = await remediator.remediate(makeFinding('svc-exec-enabled', SVC, { actorRoleArn: mine }));
    expect(own.action?.reason).toContain(`own role ${mine}`);
  });

  it('the budget runs out among the standalone tasks of a deregistered revision', async () => {
    // The revision is privileged as AWS describes it (verify before acting reads its containers).
    const privileged = [{ name: 'app', image: 'app:1', privileged: true }];
    ecsMock
      .on(DescribeTaskDefinitionCommand)
      .resolvesOnce({
        taskDefinition: {
          taskDefinitionArn: TD,
          family: 'web',
          revision: 7,
          status: 'ACTIVE',
          containerDefinitions: privileged,
        },
      })
      .resolves({
        taskDefinition: {
          taskDefinitionArn: TD,
          family: 'web',
          revision: 7,
          status: 'INACTIVE',
          containerDefinitions: privileged,
        },
      });
    ecsMock.on(DeregisterTaskDefinitionCommand).resolves({});
    ecsMock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
    ecsMock.on(ListServicesCommand).resolves({ serviceArns: [] });
    ecsMock.on(ListTasksCommand).resolves({ taskArns: [TASK('t1'), TASK('t2')] });
    const running = (id: string) => ({
      taskArn: TASK(id),
      clusterArn: CLUSTER,
      taskDefinitionArn: TD,
      group: 'family:web',
      desiredStatus: 'RUNNING',
      lastStatus: 'RUNNING',
    });
    ecsMock
      .on(DescribeTasksCommand, { cluster: CLUSTER, tasks: [TASK('t1'), TASK('t2')] })
      .resolves({ tasks: [running('t1'), running('t2')] });
    ecsMock
      .on(DescribeTasksCommand, { tasks: [TASK('t1')] })
      .resolvesOnce({ tasks: [running('t1')] })
      .resolves({ tasks: [{ ...running('t1'), desiredStatus: 'STOPPED' }] });
    ecsMock.on(DescribeTasksCommand, { tasks: [TASK('t2')] }).resolves({ tasks: [running('t2')] });
    ecsMock.on(StopTaskCommand).resolves({});
    const { remediator, audit } = setup(policyWith(['td-privileged'], {}, { budgetPerHour: 2 }));
    const out = await remediator.remediate(makeFinding('td-privileged', TD));
    expect(out.action?.status).toBe('done');
    expect(out.action?.reason).toMatch(
      /^deregistered task definition web:7 \(ecs:DeregisterTaskDefinition\); 2 standalone task\(s\) still running it: stop-task 1 done, 1 skipped \(budget exhausted: 2 change\(s\)/,
    );
    expect(ecsMock).toHaveReceivedCommandTimes(StopTaskCommand, 1);
    expect(ecsMock).toHaveReceivedCommandWith(StopTaskCommand, { task: TASK('t1'), cluster: CLUSTER });
    expect(audit.entries.map((e) => `${e.action} ${e.resourceArn.split('/').pop()} ${e.status}`)).toEqual([
      'deregister-task-definition web:7 done',
      'stop-task t1 done',
      'stop-task t2 skipped',
    ]);
  });
});

describe('the pipeline seam', () => {
  it('answers with the action; never undefined, never a throw', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service()] })
      .resolves({ services: [service({ enableExecuteCommand: false })] });
    ecsMock.on(UpdateServiceCommand).resolves({});
    const { remediator } = setup(policyWith(['svc-exec-enabled']));
    const finding = makeFinding('svc-exec-enabled', SVC);
    expect(outcomeOf(finding, await remediator.remediate(finding))).toMatchObject({
      name: 'disable-exec',
      status: 'done',
    });
    const notified = makeFinding('svc-exec-enabled', SVC, { mode: 'notify' });
    expect(outcomeOf(notified, await setup(policyWith([])).remediator.remediate(notified))).toEqual({
      name: 'none',
      status: 'skipped',
      reason: 'rule is not in remediate mode',
    });
  });
});
