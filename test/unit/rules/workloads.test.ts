/** Service, task set and task rules (shared/rules/workloads.ts): directly and end to end. */
import { describe, expect, it } from 'vitest';
import { compareVersions, workloadRules } from '../../../shared/rules/workloads';
import { detailOf, fixture } from '../events/fixtures';
import {
  ACCOUNT,
  REGION,
  check,
  cloudTrailEvent,
  evaluateOne,
  engine,
  only,
  paramsWith,
  ruleIds,
  service,
  stubEnricher,
  task,
  taskSet,
  withRule,
} from './helpers';

const TESTED = [
  'svc-public-ip',
  'svc-exec-enabled',
  'svc-fargate-platform-outdated',
  'taskset-public-ip',
  'task-public-ip',
  'task-exec-enabled',
];

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';
const NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-0a1b2c3d4e5f60718'],
    securityGroups: ['sg-0123456789abcdef0'],
    assignPublicIp: 'DISABLED',
  },
};
const publicNetwork = { awsvpcConfiguration: { ...NETWORK.awsvpcConfiguration, assignPublicIp: 'ENABLED' } };

/** A CreateService as CloudTrail records it, request only (the response is left out on purpose). */
function createService(request: Record<string, unknown>, response?: Record<string, unknown>) {
  return cloudTrailEvent({
    eventName: 'CreateService',
    requestParameters: {
      cluster: 'prod-cluster',
      serviceName: 'checkout-api',
      taskDefinition: 'checkout-api:42',
      desiredCount: 2,
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      networkConfiguration: NETWORK,
      enableExecuteCommand: false,
      ...request,
    },
    ...(response ? { responseElements: response } : {}),
  });
}

function runTask(request: Record<string, unknown>, tasks: Record<string, unknown>[]) {
  return cloudTrailEvent({
    eventName: 'RunTask',
    requestParameters: {
      cluster: 'prod-cluster',
      taskDefinition: 'db-migrate:12',
      count: tasks.length,
      launchType: 'FARGATE',
      networkConfiguration: NETWORK,
      ...request,
    },
    responseElements: { tasks, failures: [] },
  });
}

const startedTask = (id: string, over: Record<string, unknown> = {}) => ({
  taskArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/${id}`,
  clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster`,
  taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/db-migrate:12`,
  group: 'family:db-migrate',
  lastStatus: 'PROVISIONING',
  launchType: 'FARGATE',
  attachments: [
    {
      id: 'att-1',
      type: 'ElasticNetworkInterface',
      status: 'PRECREATED',
      details: [{ name: 'subnetId', value: 'subnet-0a1b2c3d4e5f60718' }],
    },
  ],
  ...over,
});

describe('workload rules: module', () => {
  it('this file tests every rule of the module', () => {
    expect(workloadRules.map((r) => r.id).sort()).toEqual([...TESTED].sort());
  });

  it('compliant resources pass every rule', () => {
    for (const id of ['svc-public-ip', 'svc-exec-enabled', 'svc-fargate-platform-outdated'])
      expect(check(id, service()), id).toEqual([]);
    expect(check('taskset-public-ip', taskSet())).toEqual([]);
    for (const id of ['task-public-ip', 'task-exec-enabled']) expect(check(id, task()), id).toEqual([]);
  });

  it('a compliant CreateService and RunTask yield no finding end to end', async () => {
    expect((await evaluateOne(createService({}))).findings).toEqual([]);
    expect((await evaluateOne(runTask({}, [startedTask('a')]))).findings).toEqual([]);
  });
});

describe('svc-public-ip', () => {
  it('fires when assignPublicIp is ENABLED', () => {
    expect(check('svc-public-ip', service({ network: { assignPublicIp: 'ENABLED' } }))).toEqual([
      {
        path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
        message: 'service "checkout-api" assigns a public IP (assignPublicIp ENABLED)',
      },
    ]);
  });

  it('does not fire for DISABLED, an absent assignPublicIp or an unknown network configuration', () => {
    expect(check('svc-public-ip', service({ network: { assignPublicIp: 'DISABLED' } }))).toEqual([]);
    expect(check('svc-public-ip', service({ network: { subnets: ['subnet-1'] } }))).toEqual([]);
    expect(check('svc-public-ip', service({ network: undefined }))).toEqual([]);
  });

  it('end to end: CreateService fixture, on the service ARN of the response', async () => {
    const { findings } = await evaluateOne(fixture('cloudtrail-create-service-assign-public-ip.json'));
    expect(ruleIds(findings)).toEqual(['svc-public-ip']);
    const f = only(findings, 'svc-public-ip');
    expect(f.severity).toBe('high');
    expect(f.resource).toEqual({ type: 'AWS::ECS::Service', arn: SERVICE_ARN, name: 'checkout-api' });
    expect(f.controls).toMatchObject({ securityHub: 'ECS.2', checkov: 'CKV_AWS_333' });
  });

  it('end to end: UpdateService and its archive replay are the same finding', async () => {
    const update = only(
      (await evaluateOne(fixture('cloudtrail-update-service-assign-public-ip.json'))).findings,
      'svc-public-ip',
    );
    const replay = only(
      (await evaluateOne(fixture('cloudtrail-update-service-replayed-from-archive.json'))).findings,
      'svc-public-ip',
    );
    expect(update.resource.arn).toBe(SERVICE_ARN);
    expect(replay.findingId).toBe(update.findingId);
    expect(update.event.actor?.roleArn).toContain('AWSReservedSSO_AdministratorAccess');
  });

  it('end to end: a rejected CreateService (errorCode, responseElements null) is no finding', async () => {
    const r = await evaluateOne(fixture('cloudtrail-create-service-invalid-parameter-null-response.json'));
    expect(r.findings).toEqual([]);
    expect(r.incomplete).toBeUndefined();
  });

  it('end to end: UpdateService without networkConfiguration is never flagged from the request alone', async () => {
    // With the response, the finding comes from the resulting state the response shows.
    const withResponse = fixture('cloudtrail-update-service-desired-count-only.json');
    expect(only((await evaluateOne(withResponse)).findings, 'svc-public-ip').resource.arn).toBe(SERVICE_ARN);

    // The request alone says nothing about the network: no finding, whatever the service really has.
    const requestOnly = fixture('cloudtrail-update-service-desired-count-only.json');
    delete detailOf(requestOnly).responseElements;
    expect((await evaluateOne(requestOnly)).findings).toEqual([]);
  });

  it('end to end: the request is used when there is no response, with the ARN built from it', async () => {
    const f = only(
      (await evaluateOne(createService({ networkConfiguration: publicNetwork }))).findings,
      'svc-public-ip',
    );
    expect(f.resource.arn).toBe(SERVICE_ARN);
    expect((await evaluateOne(createService({}))).findings).toEqual([]);
  });
});

describe('svc-exec-enabled', () => {
  it('fires when enableExecuteCommand is true only', () => {
    expect(check('svc-exec-enabled', service({ enableExecuteCommand: true }))).toEqual([
      { path: 'enableExecuteCommand', message: 'service "checkout-api" has ECS Exec enabled' },
    ]);
    expect(check('svc-exec-enabled', service({ enableExecuteCommand: false }))).toEqual([]);
    expect(check('svc-exec-enabled', service({ enableExecuteCommand: undefined }))).toEqual([]);
  });

  it('end to end: CreateService with exec, and UpdateService turning it on', async () => {
    const f = only(
      (await evaluateOne(createService({ enableExecuteCommand: true }))).findings,
      'svc-exec-enabled',
    );
    expect(f.severity).toBe('medium');
    const update = cloudTrailEvent({
      eventName: 'UpdateService',
      requestParameters: { cluster: 'prod-cluster', service: 'checkout-api', enableExecuteCommand: true },
    });
    expect(only((await evaluateOne(update)).findings, 'svc-exec-enabled').resource.arn).toBe(SERVICE_ARN);
  });

  it('end to end: the corpus services have exec disabled', async () => {
    for (const name of [
      'cloudtrail-create-service-assign-public-ip.json',
      'cloudtrail-update-service-assign-public-ip.json',
    ])
      expect(withRule((await evaluateOne(fixture(name))).findings, 'svc-exec-enabled'), name).toEqual([]);
  });
});

describe('svc-fargate-platform-outdated', () => {
  const pinned = (over: Parameters<typeof service>[0], params?: unknown) =>
    check('svc-fargate-platform-outdated', service(over), params);

  it('fires for a Fargate service pinned below 1.4.0', () => {
    expect(pinned({ platformVersion: '1.3.0' })).toEqual([
      {
        path: 'platformVersion',
        message: 'service "checkout-api" is pinned to Fargate platform 1.3.0 (< 1.4.0)',
      },
    ]);
    expect(pinned({ platformVersion: '1.0.0' })).toHaveLength(1);
    expect(pinned({ platformVersion: '1.2' })).toHaveLength(1);
  });

  it('does not fire for LATEST (any case), 1.4.0 or newer, or no platform version', () => {
    for (const platformVersion of ['LATEST', 'latest', '1.4.0', '1.4', '1.10.0', '2.0.0', undefined])
      expect(pinned({ platformVersion }), String(platformVersion)).toEqual([]);
  });

  it('applies to FARGATE and FARGATE_SPOT capacity providers, not to EC2 or unknown capacity', () => {
    expect(
      pinned({ launchType: undefined, capacityProviders: ['FARGATE_SPOT'], platformVersion: '1.3.0' }),
    ).toHaveLength(1);
    expect(
      pinned({
        launchType: undefined,
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        platformVersion: '1.3.0',
      }),
    ).toHaveLength(1);
    expect(pinned({ launchType: 'EC2', platformVersion: '1.3.0' })).toEqual([]);
    expect(
      pinned({ launchType: undefined, capacityProviders: ['asg-capacity'], platformVersion: '1.3.0' }),
    ).toEqual([]);
    expect(pinned({ launchType: undefined, platformVersion: '1.3.0' })).toEqual([]);
  });

  it('honours the minimumVersion parameter', () => {
    expect(
      pinned(
        { platformVersion: '1.3.0' },
        paramsWith('svc-fargate-platform-outdated', { minimumVersion: '1.3.0' }),
      ),
    ).toEqual([]);
  });

  it('compares versions numerically', () => {
    expect(compareVersions('1.3.0', '1.4.0')).toBeLessThan(0);
    expect(compareVersions('1.10.0', '1.4.0')).toBeGreaterThan(0);
    expect(compareVersions('1.4', '1.4.0')).toBe(0);
  });

  it('end to end: LATEST, 1.3.0, 1.4.0, EC2 and FARGATE_SPOT', async () => {
    const outdated = async (request: Record<string, unknown>) =>
      withRule((await evaluateOne(createService(request))).findings, 'svc-fargate-platform-outdated');
    expect(await outdated({ platformVersion: 'LATEST' })).toEqual([]);
    expect((await outdated({ platformVersion: '1.3.0' }))[0]?.controls.securityHub).toBe('ECS.10');
    expect(await outdated({ platformVersion: '1.4.0' })).toEqual([]);
    expect(
      await outdated({ launchType: 'EC2', platformVersion: '1.3.0', networkConfiguration: undefined }),
    ).toEqual([]);
    expect(
      await outdated({
        launchType: undefined,
        capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
        platformVersion: '1.3.0',
      }),
    ).toHaveLength(1);
  });
});

describe('taskset-public-ip', () => {
  it('fires when assignPublicIp is ENABLED only', () => {
    expect(check('taskset-public-ip', taskSet({ network: { assignPublicIp: 'ENABLED' } }))).toEqual([
      {
        path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
        message: 'task set assigns a public IP (assignPublicIp ENABLED)',
      },
    ]);
    expect(check('taskset-public-ip', taskSet({ network: { assignPublicIp: 'DISABLED' } }))).toEqual([]);
    expect(check('taskset-public-ip', taskSet({ network: undefined }))).toEqual([]);
  });

  it('end to end: the CreateTaskSet fixture, on the task set ARN of the response', async () => {
    const { findings } = await evaluateOne(fixture('cloudtrail-create-task-set-assign-public-ip.json'));
    expect(ruleIds(findings)).toEqual(['taskset-public-ip']);
    const f = only(findings, 'taskset-public-ip');
    expect(f.severity).toBe('high');
    expect(f.controls.securityHub).toBe('ECS.16');
    expect(f.resource).toEqual({
      type: 'AWS::ECS::TaskSet',
      arn: 'arn:aws:ecs:us-west-2:111122223333:task-set/prod-cluster/checkout-api-ext/ecs-svc/1263455207218093611',
    });
  });

  it('end to end: DISABLED is no finding', async () => {
    const event = fixture('cloudtrail-create-task-set-assign-public-ip.json');
    const d = detailOf(event) as {
      requestParameters: { networkConfiguration: typeof NETWORK };
      responseElements: { taskSet: { networkConfiguration: typeof NETWORK } };
    };
    d.requestParameters.networkConfiguration = NETWORK;
    d.responseElements.taskSet.networkConfiguration = NETWORK;
    expect((await evaluateOne(event)).findings).toEqual([]);
  });
});

describe('task-public-ip', () => {
  it('fires for a launch that asked for a public IP', () => {
    expect(check('task-public-ip', task({ network: { assignPublicIp: 'ENABLED' } }))).toEqual([
      {
        path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
        message: 'task launch assigns a public IP (assignPublicIp ENABLED)',
      },
    ]);
  });

  it('fires for a task whose ENI has a public IP (enrichment)', () => {
    expect(check('task-public-ip', task({ publicIps: ['203.0.113.10'] }))).toEqual([
      { path: 'attachments.eni.association.publicIp', message: 'task ENI has public IP 203.0.113.10' },
    ]);
  });

  it('does not fire for DISABLED, no network shown, or an ENI checked without public IP', () => {
    expect(check('task-public-ip', task({ network: { assignPublicIp: 'DISABLED' } }))).toEqual([]);
    expect(check('task-public-ip', task({ publicIps: [] }))).toEqual([]);
    expect(check('task-public-ip', task())).toEqual([]);
  });

  it('end to end: the RunTask fixture flags its started task', async () => {
    const { findings } = await evaluateOne(fixture('cloudtrail-run-task-public-ip-with-overrides.json'));
    const f = only(findings, 'task-public-ip');
    expect(f.severity).toBe('high');
    expect(f.resource).toEqual({
      type: 'AWS::ECS::Task',
      arn: 'arn:aws:ecs:us-west-2:111122223333:task/prod-cluster/5c3a9e1f0b7d4e2a8c6b4d2f0e1a3c5b',
    });
  });

  it('end to end: one finding per started task', async () => {
    const { findings } = await evaluateOne(
      runTask({ networkConfiguration: publicNetwork }, [startedTask('aaa'), startedTask('bbb')]),
    );
    expect(withRule(findings, 'task-public-ip').map((f) => f.resource.arn)).toEqual([
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/aaa`,
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod-cluster/bbb`,
    ]);
  });

  it('end to end: RunTask that started nothing (tasks: [], failures) is no task finding', async () => {
    expect(
      (await evaluateOne(fixture('cloudtrail-run-task-placement-failure-no-errorcode.json'))).findings,
    ).toEqual([]);
    expect((await evaluateOne(runTask({ networkConfiguration: publicNetwork }, []))).findings).toEqual([]);
  });

  it('end to end: a RUNNING task whose ENI has a public IP (enrichment), not when it has none', async () => {
    const running = fixture('ecs-task-state-change-running-awsvpc.json');
    const withIp = stubEnricher({ publicIps: ['203.0.113.10'] });
    const f = only((await evaluateOne(running, withIp)).findings, 'task-public-ip');
    expect(f.resource.arn).toBe('arn:aws:ecs:us-east-1:123456789012:task/example-cluster/a1173316d40a45dea9');
    expect(withIp.calls).toContain('publicIps eni-0103a2f01bad57d71');

    const without = stubEnricher({ publicIps: [] });
    expect(withRule((await evaluateOne(running, without)).findings, 'task-public-ip')).toEqual([]);
    // Without enrichment the event alone shows no public IP.
    expect((await evaluateOne(running)).findings).toEqual([]);
  });

  it('end to end: a STOPPED task is not looked up', async () => {
    const e = stubEnricher({ publicIps: ['203.0.113.10'] });
    const stopped = fixture('ecs-task-state-change-running-awsvpc.json');
    (detailOf(stopped) as { lastStatus: string }).lastStatus = 'STOPPED';
    expect((await evaluateOne(stopped, e)).findings).toEqual([]);
    expect(e.calls.filter((c) => c.startsWith('publicIps'))).toEqual([]);
  });
});

describe('task-exec-enabled', () => {
  it('fires when enableExecuteCommand is true only', () => {
    expect(check('task-exec-enabled', task({ enableExecuteCommand: true }))).toEqual([
      { path: 'enableExecuteCommand', message: 'task has ECS Exec enabled' },
    ]);
    expect(check('task-exec-enabled', task({ enableExecuteCommand: false }))).toEqual([]);
    expect(check('task-exec-enabled', task())).toEqual([]);
  });

  it('end to end: RunTask with exec (fixture) fires; StartTask without it does not', async () => {
    const run = (await evaluateOne(fixture('cloudtrail-run-task-public-ip-with-overrides.json'))).findings;
    expect(ruleIds(run)).toEqual(['task-exec-enabled', 'task-public-ip']);
    expect(only(run, 'task-exec-enabled').severity).toBe('medium');
    const start = (await evaluateOne(fixture('cloudtrail-start-task-ec2-privileged-taskdef.json'))).findings;
    expect(start).toEqual([]);
  });

  it('end to end: the request flag counts when the response task omits it', async () => {
    const { findings } = await evaluateOne(runTask({ enableExecuteCommand: true }, [startedTask('ccc')]));
    expect(only(findings, 'task-exec-enabled').resource.arn).toContain('task/prod-cluster/ccc');
  });

  it('end to end: a task state change showing exec enabled', async () => {
    const event = fixture('ecs-task-state-change-running-awsvpc.json');
    (detailOf(event) as { enableExecuteCommand: boolean }).enableExecuteCommand = true;
    expect(ruleIds((await evaluateOne(event)).findings)).toEqual(['task-exec-enabled']);
  });

  it('end to end: a failed RunTask (errorCode) is no finding', async () => {
    const failed = cloudTrailEvent({
      eventName: 'RunTask',
      errorCode: 'InvalidParameterException',
      requestParameters: {
        cluster: 'prod-cluster',
        taskDefinition: 'db-migrate:12',
        enableExecuteCommand: true,
      },
    });
    expect((await engine().run(failed)).findings).toEqual([]);
  });
});
