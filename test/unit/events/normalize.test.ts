/**
 * normalize (shared/events/normalize.ts) over the event corpus: the traps, the resource mapping and the
 * ARNs of docs/events.md.
 */
import { describe, expect, it } from 'vitest';
import { normalize, type NormalizedEvent } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import type { Resource, ResourceKind, ResourceOfKind } from '../../../shared/model/resources';
import { evaluateOne, registerTaskDefinitionEvent, stubEnricher, taskDefinition, cloudTrailEvent, container } from '../rules/helpers';
import { detailOf, fixture, fixtureNames } from './fixtures';

const norm = (raw: unknown): NormalizedEvent => normalize(parseEvent(raw));
const normFixture = (name: string): NormalizedEvent => norm(fixture(name));

function onlyResource<K extends ResourceKind>(n: NormalizedEvent, kind: K): ResourceOfKind<K> {
  const list = n.resources.filter((r): r is ResourceOfKind<K> => r.kind === kind);
  expect(list, `resources of kind ${kind}`).toHaveLength(1);
  return list[0]!;
}

const kinds = (rs: readonly Resource[]) => rs.map((r) => r.kind);

describe('normalize: every fixture', () => {
  for (const name of fixtureNames()) {
    it(`${name} normalizes without error`, () => {
      const n = normFixture(name);
      expect(n.event.id).toBe(fixture(name).id);
      expect(n.account).toMatch(/^\d{12}$/);
    });
  }
});

describe('normalize: event reference', () => {
  it('CloudTrail: eventTime, eventName, actor (role behind the session), account and region of the record', () => {
    const n = normFixture('cloudtrail-update-service-assign-public-ip.json');
    expect(n.event).toEqual({
      id: '6b4cb242-4a23-4596-a217-beaddbc496cb',
      source: 'aws.ecs',
      detailType: 'AWS API Call via CloudTrail',
      time: '2026-03-03T14:14:55Z',
      eventName: 'UpdateService',
      actor: {
        arn: 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_AdministratorAccess_0123456789abcdef/ops.oncall@example.com',
        type: 'AssumedRole',
        roleArn: 'arn:aws:iam::111122223333:role/AWSReservedSSO_AdministratorAccess_0123456789abcdef',
      },
    });
    expect(n.account).toBe('111122223333');
    expect(n.region).toBe('us-west-2');
  });

  it('CloudTrail: invokedBy is kept (EventBridge target role, CodeDeploy)', () => {
    expect(normFixture('cloudtrail-run-task-placement-failure-no-errorcode.json').event.actor?.invokedBy).toBe(
      'events.amazonaws.com',
    );
    expect(normFixture('cloudtrail-create-task-set-assign-public-ip.json').event.actor?.invokedBy).toBe(
      'codedeploy.amazonaws.com',
    );
  });

  it('ECS events: envelope time, no actor', () => {
    const n = normFixture('ecs-service-action-operation-throttled.json');
    expect(n.event).toEqual({
      id: '4c1e8a2b-7d3f-4e6a-9b0c-1d2e3f4a5b6c',
      source: 'aws.ecs',
      detailType: 'ECS Service Action',
      time: '2026-03-02T08:15:41Z',
      eventName: 'ECS_OPERATION_THROTTLED',
    });
  });
});

describe('normalize: ECS task state changes (traps 2-5, 11)', () => {
  it('"eni" attachment in events: the ENI id from details; privateIPv4Address / privateIpv4Address casing is irrelevant', () => {
    const raw = fixture('ecs-task-state-change-running-awsvpc.json');
    const details = (detailOf(raw).attachments as { details: { name: string }[] }[])[0]!.details;
    expect(details.map((d) => d.name)).toContain('privateIPv4Address');
    const containers = detailOf(raw).containers as { networkInterfaces: Record<string, unknown>[] }[];
    expect(containers[0]!.networkInterfaces[0]).toHaveProperty('privateIpv4Address');

    const t = onlyResource(norm(raw), 'Task');
    expect(t).toEqual({
      kind: 'Task',
      arn: 'arn:aws:ecs:us-east-1:123456789012:task/example-cluster/a1173316d40a45dea9',
      account: '123456789012',
      region: 'us-east-1',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/example-cluster',
      taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5',
      group: 'family:webserver',
      lastStatus: 'RUNNING',
      launchType: 'FARGATE',
      enableExecuteCommand: false,
      eniIds: ['eni-0103a2f01bad57d71'],
    });
    // No public IP in any ECS event: it is unknown until enrichment, not "none".
    expect(t.publicIps).toBeUndefined();
  });

  it('a PRECREATED ENI has only subnetId: no ENI id yet', () => {
    expect(onlyResource(normFixture('ecs-task-state-change-provisioning-eni-precreated.json'), 'Task').eniIds).toEqual([]);
  });

  it('ENI ids come only from ENI attachments, in either spelling of the type', () => {
    const raw = fixture('ecs-task-state-change-running-awsvpc.json');
    detailOf(raw).attachments = [
      { type: 'Service Connect', status: 'ATTACHED', details: [{ name: 'networkInterfaceId', value: 'eni-sc' }] },
      { type: 'ElasticNetworkInterface', status: 'ATTACHED', details: [{ name: 'networkInterfaceId', value: 'eni-api' }] },
      { type: 'eni', status: 'ATTACHED', details: [{ name: 'privateIPv4Address', value: '10.0.1.5' }] },
      { type: 'eni', status: 'DELETED' },
    ];
    expect(onlyResource(norm(raw), 'Task').eniIds).toEqual(['eni-api']);
  });

  it('legacy 2016 event: old-format ARNs, no attachments, no launchType', () => {
    const t = onlyResource(normFixture('ecs-task-state-change-legacy-bridge-no-attachments.json'), 'Task');
    expect(t.arn).toBe('arn:aws:ecs:us-east-1:111122223333:task/b99d40b3-5176-4f71-9a52-9dbd6f1cebef');
    expect(t.launchType).toBeUndefined();
    expect(t.eniIds).toEqual([]);
  });

  it('a task definition ARN without revision is used as given (use-time check reference)', () => {
    const n = normFixture('ecs-task-state-change-running-ec2-awsvpc.json');
    expect(n.taskDefinitionRefs).toEqual(['arn:aws:ecs:us-east-1:123456789012:task-definition/webserver']);
  });

  it('a running task references its task definition; a stopped one does not', () => {
    expect(normFixture('ecs-task-state-change-running-awsvpc.json').taskDefinitionRefs).toEqual([
      'arn:aws:ecs:us-east-1:123456789012:task-definition/webserver:5',
    ]);
    const stopped = fixture('ecs-task-state-change-running-awsvpc.json');
    detailOf(stopped).lastStatus = 'STOPPED';
    expect(norm(stopped).taskDefinitionRefs).toEqual([]);
  });

  it('the synthetic malformed task (no version, launchType, taskDefinitionArn, ENI details; unknown stopCode) is a bare task', () => {
    const n = normFixture('ecs-task-state-change-malformed-missing-fields.json');
    expect(onlyResource(n, 'Task')).toEqual({
      kind: 'Task',
      arn: 'arn:aws:ecs:us-west-2:111122223333:task/prod-cluster/0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c',
      account: '111122223333',
      region: 'us-west-2',
      clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster',
      lastStatus: 'STOPPED',
      eniIds: [],
    });
    expect(n.taskDefinitionRefs).toEqual([]);
    expect(n.signals).toEqual([]);
  });

  it('the at-least-once duplicate normalizes to the same resources (only the event id differs)', () => {
    const a = normFixture('ecs-task-state-change-stopped-essential-container-exited.json');
    const b = normFixture('ecs-task-state-change-stopped-duplicate-same-version.json');
    expect(b.resources).toEqual(a.resources);
    expect(b.event.id).not.toBe(a.event.id);
  });
});

describe('normalize: container instances', () => {
  it('attribute names (values are optional and not needed)', () => {
    const ci = onlyResource(normFixture('ecs-container-instance-state-change-active.json'), 'ContainerInstance');
    expect(ci.arn).toBe('arn:aws:ecs:us-east-1:111122223333:container-instance/b54a2a04-046f-4331-9d74-3f6d7f6ca315');
    expect(ci.ec2InstanceId).toBe('i-f3a8506b');
    expect(ci.attributes).toHaveLength(14);
    expect(ci.attributes).toContain('com.amazonaws.ecs.capability.privileged-container');
  });
});

describe('normalize: CloudTrail RegisterTaskDefinition', () => {
  it('the response is the task definition, with the ARN of the response', () => {
    const td = onlyResource(normFixture('cloudtrail-register-task-definition-compliant-fargate.json'), 'TaskDefinition');
    expect(td).toMatchObject({
      arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api:42',
      family: 'checkout-api',
      revision: 42,
      networkMode: 'awsvpc',
      osFamily: 'LINUX',
      tags: { owner: 'payments' },
      volumes: [],
    });
    expect(td.containers[0]).toEqual({
      name: 'app',
      image:
        '111122223333.dkr.ecr.us-west-2.amazonaws.com/checkout-api@sha256:3f1c2b7a9e0d4c6b8a7f5e3d1c9b0a8f7e6d5c4b3a29180716253443526170ff',
      user: '1000:1000',
      readonlyRootFilesystem: true,
      capabilitiesAdd: [],
      environment: [{ name: 'PORT', value: '8080' }],
      logDriver: 'awslogs',
      logOptions: {
        'awslogs-group': '/ecs/checkout-api',
        'awslogs-region': 'us-west-2',
        'awslogs-stream-prefix': 'app',
      },
    });
  });

  it('without a response the request is used and the ARN is task-definition/<family>', () => {
    const raw = fixture('cloudtrail-register-task-definition-privileged.json');
    detailOf(raw).responseElements = null;
    const td = onlyResource(norm(raw), 'TaskDefinition');
    expect(td.arn).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter');
    expect(td.volumes).toEqual([{ name: 'host-root', hostSourcePath: '/' }]);
    expect(td.containers[0]?.capabilitiesAdd).toEqual(['SYS_ADMIN', 'NET_ADMIN']);
  });

  it('an EFS volume without transitEncryption is DISABLED; a plain volume has neither host nor EFS', () => {
    const n = norm(
      registerTaskDefinitionEvent({
        volumes: [{ name: 'efs', efsVolumeConfiguration: { fileSystemId: 'fs-1' } }, { name: 'scratch' }],
      }),
    );
    expect(onlyResource(n, 'TaskDefinition').volumes).toEqual([
      { name: 'efs', efsTransitEncryption: 'DISABLED' },
      { name: 'scratch' },
    ]);
  });

  it('truncated parameters ("omitted"): incomplete, no resource, so no finding and never compliant (trap 8)', async () => {
    const n = normFixture('cloudtrail-register-task-definition-truncated-omitted.json');
    expect(n.resources).toEqual([]);
    expect(n.incomplete?.reason).toMatch(/truncated or missing/);
    expect(n.incomplete?.taskDefinition).toBeUndefined(); // neither family nor ARN survived
    const r = await evaluateOne(fixture('cloudtrail-register-task-definition-truncated-omitted.json'));
    expect(r.findings).toEqual([]);
    expect(r.incomplete).toBeDefined();
  });

  it('truncated request with the ARN in the response: incomplete, naming what to describe', () => {
    const raw = fixture('cloudtrail-register-task-definition-truncated-omitted.json');
    detailOf(raw).responseElements = {
      taskDefinition: { taskDefinitionArn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/mega-batch:3', omitted: true },
    };
    expect(norm(raw).incomplete?.taskDefinition).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/mega-batch:3');
  });

  it('a request with a family but no containerDefinitions is unknown too (any missing expected key)', () => {
    const raw = fixture('cloudtrail-register-task-definition-truncated-omitted.json');
    detailOf(raw).requestParameters = { family: 'mega-batch', omitted: true };
    detailOf(raw).responseElements = null;
    const n = norm(raw);
    expect(n.resources).toEqual([]);
    expect(n.incomplete?.taskDefinition).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/mega-batch');
  });

  it('with enrichment the truncated registration is described and evaluated, no longer incomplete', async () => {
    const arn = 'arn:aws:ecs:us-west-2:111122223333:task-definition/mega-batch:3';
    const raw = fixture('cloudtrail-register-task-definition-truncated-omitted.json');
    detailOf(raw).responseElements = { taskDefinition: { taskDefinitionArn: arn } };
    const described = taskDefinition({ arn, family: 'mega-batch', revision: 3, containers: [container({ privileged: true })] });
    const enricher = stubEnricher({ taskDefinitions: { [arn]: described } });
    const r = await evaluateOne(raw, enricher);
    expect(enricher.calls).toContain(`describeTaskDefinition ${arn}`);
    expect(r.incomplete).toBeUndefined();
    expect(r.findings.map((f) => [f.ruleId, f.resource.arn])).toEqual([['td-privileged', arn]]);
  });

  it('the ~131 KB registration near the ECS limits: 10 containers', () => {
    const td = onlyResource(normFixture('cloudtrail-register-task-definition-huge-near-limits.json'), 'TaskDefinition');
    expect(td.containers).toHaveLength(10);
  });
});

describe('normalize: CloudTrail failures (traps 7, 9, 10)', () => {
  it('responseElements null with an errorCode: no resource, no signal, not incomplete', () => {
    const n = normFixture('cloudtrail-create-service-invalid-parameter-null-response.json');
    expect(n.resources).toEqual([]);
    expect(n.signals).toEqual([]);
    expect(n.incomplete).toBeUndefined();
    expect(n.taskDefinitionRefs).toEqual([]);
  });

  it('a failed call whose request shows a violation changes nothing: no finding', async () => {
    const raw = fixture('cloudtrail-register-task-definition-privileged.json');
    detailOf(raw).errorCode = 'ClientException';
    detailOf(raw).errorMessage = 'Too many containers.';
    detailOf(raw).responseElements = null;
    expect(norm(raw).resources).toEqual([]);
    expect((await evaluateOne(raw)).findings).toEqual([]);
  });

  it('a throttled call is a signal, not a configuration (the request is ignored)', () => {
    const n = normFixture('cloudtrail-throttling-exception.json');
    expect(n.resources).toEqual([]);
    expect(n.signals).toEqual([
      {
        kind: 'apiThrottle',
        eventSource: 'ecs.amazonaws.com',
        eventName: 'RegisterTaskDefinition',
        errorCode: 'ThrottlingException',
        principal: 'arn:aws:iam::111122223333:role/github-actions-deploy',
      },
    ]);
  });

  it('EC2 Client.RequestLimitExceeded and the read-only ELB throttle are signals too', () => {
    expect(normFixture('cloudtrail-ec2-client-request-limit-exceeded.json').signals).toEqual([
      {
        kind: 'apiThrottle',
        eventSource: 'ec2.amazonaws.com',
        eventName: 'AuthorizeSecurityGroupIngress',
        errorCode: 'Client.RequestLimitExceeded',
        principal: 'arn:aws:iam::111122223333:role/terraform-apply',
      },
    ]);
    expect(normFixture('cloudtrail-elb-describe-target-health-throttled-readonly.json').signals).toMatchObject([
      { eventName: 'DescribeTargetHealth', principal: 'arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS' },
    ]);
  });

  it('the caller is the user ARN without a session issuer, else invokedBy, else "unknown"', () => {
    const user = fixture('cloudtrail-throttling-exception.json');
    detailOf(user).userIdentity = { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ci', accountId: '111122223333' };
    expect(norm(user).signals[0]).toMatchObject({ principal: 'arn:aws:iam::111122223333:user/ci' });
    const service = fixture('cloudtrail-throttling-exception.json');
    detailOf(service).userIdentity = { type: 'AWSService', invokedBy: 'ecs.amazonaws.com' };
    expect(norm(service).signals[0]).toMatchObject({ principal: 'ecs.amazonaws.com' });
    const none = fixture('cloudtrail-throttling-exception.json');
    delete detailOf(none).userIdentity;
    expect(norm(none).signals[0]).toMatchObject({ principal: 'unknown' });
  });

  it('the AWS doc\'s " DescribeTargetHealth " with spaces is trimmed', () => {
    const raw = fixture('cloudtrail-elb-describe-target-health-throttled-readonly.json');
    detailOf(raw).eventName = ' DescribeTargetHealth ';
    expect(norm(raw).signals[0]).toMatchObject({ eventName: 'DescribeTargetHealth' });
  });

  it('RunTask "success" with tasks: [] and failures[]: no task, no use-time reference', () => {
    const n = normFixture('cloudtrail-run-task-placement-failure-no-errorcode.json');
    expect(n.resources).toEqual([]);
    expect(n.taskDefinitionRefs).toEqual([]);
    expect(n.incomplete).toBeUndefined();
  });
});

describe('normalize: services (trap 6) and their ARNs', () => {
  const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';

  it('CreateService: the response (resulting state) with its ARN; the task definition is referenced', () => {
    const n = normFixture('cloudtrail-create-service-assign-public-ip.json');
    const s = onlyResource(n, 'Service');
    expect(s).toMatchObject({
      arn: SERVICE_ARN,
      name: 'checkout-api',
      clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster',
      launchType: 'FARGATE',
      platformVersion: 'LATEST',
      enableExecuteCommand: false,
      network: {
        subnets: ['subnet-0a1b2c3d4e5f60718', 'subnet-0f1e2d3c4b5a69788'],
        securityGroups: ['sg-0123456789abcdef0'],
        assignPublicIp: 'ENABLED',
      },
    });
    expect(n.taskDefinitionRefs).toEqual(['arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api:42']);
  });

  it('CreateService request uses serviceName; UpdateService request uses service', () => {
    const create = fixture('cloudtrail-create-service-assign-public-ip.json');
    delete detailOf(create).responseElements;
    const update = fixture('cloudtrail-update-service-assign-public-ip.json');
    delete detailOf(update).responseElements;
    expect((detailOf(create).requestParameters as Record<string, unknown>).serviceName).toBe('checkout-api');
    expect((detailOf(update).requestParameters as Record<string, unknown>).service).toBe('checkout-api');
    for (const raw of [create, update]) {
      const s = onlyResource(norm(raw), 'Service');
      expect(s.arn).toBe(SERVICE_ARN);
      expect(s.name).toBe('checkout-api');
      expect(s.network?.assignPublicIp).toBe('ENABLED');
    }
    // The request's short task definition reference becomes an ARN.
    expect(norm(create).taskDefinitionRefs).toEqual(['arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api:42']);
  });

  it('UpdateService without networkConfiguration and no response: the network is unknown (undefined)', () => {
    const raw = fixture('cloudtrail-update-service-desired-count-only.json');
    delete detailOf(raw).responseElements;
    const s = onlyResource(norm(raw), 'Service');
    expect(s.arn).toBe(SERVICE_ARN);
    expect(s.network).toBeUndefined();
    expect(s.enableExecuteCommand).toBeUndefined();
    expect(s.platformVersion).toBeUndefined();
  });

  it('with enrichment, a service whose event hides the network is described', async () => {
    const raw = fixture('cloudtrail-update-service-desired-count-only.json');
    delete detailOf(raw).responseElements;
    const enricher = stubEnricher({});
    await evaluateOne(raw, enricher);
    expect(enricher.calls).toContain(`describeService ${SERVICE_ARN}`);
  });

  const request = (req: Record<string, unknown>) =>
    onlyResource(norm(cloudTrailEvent({ eventName: 'UpdateService', requestParameters: req })), 'Service');

  it('ARN built with cluster "default" when the request names none', () => {
    const s = request({ service: 'orders', desiredCount: 1 });
    expect(s.arn).toBe('arn:aws:ecs:us-west-2:111122223333:service/default/orders');
    expect(s.clusterArn).toBe('arn:aws:ecs:us-west-2:111122223333:cluster/default');
  });

  it('ARN built with the last path segment when the cluster is given as an ARN', () => {
    const s = request({ cluster: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster', service: 'orders' });
    expect(s.arn).toBe('arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/orders');
    expect(s.clusterArn).toBe('arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster');
  });

  it('a service given as an ARN is used as is', () => {
    const arn = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/orders';
    const s = request({ service: arn });
    expect(s.arn).toBe(arn);
    expect(s.name).toBe('orders');
    expect(s.clusterArn).toBe('arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster');
  });

  it('partition follows the region (China, GovCloud)', () => {
    const raw = cloudTrailEvent({ eventName: 'UpdateService', requestParameters: { service: 'orders' } });
    raw.region = 'cn-north-1';
    (raw.detail as Record<string, unknown>).awsRegion = 'cn-north-1';
    expect(onlyResource(norm(raw), 'Service').arn).toBe('arn:aws-cn:ecs:cn-north-1:111122223333:service/default/orders');
  });

  it('the archive replay normalizes exactly like the original (apart from the envelope id)', () => {
    const original = normFixture('cloudtrail-update-service-assign-public-ip.json');
    const replay = normFixture('cloudtrail-update-service-replayed-from-archive.json');
    expect(replay.resources).toEqual(original.resources);
  });
});

describe('normalize: task sets, tasks, clusters from CloudTrail', () => {
  it('CreateTaskSet: the task set ARN of the response, its service and network', () => {
    const ts = onlyResource(normFixture('cloudtrail-create-task-set-assign-public-ip.json'), 'TaskSet');
    expect(ts).toMatchObject({
      arn: 'arn:aws:ecs:us-west-2:111122223333:task-set/prod-cluster/checkout-api-ext/ecs-svc/1263455207218093611',
      serviceArn: 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api-ext',
      network: { assignPublicIp: 'ENABLED' },
      taskDefinition: 'arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api:43',
    });
  });

  it('RunTask: each started task, with the request\'s network and the response\'s "ElasticNetworkInterface"', () => {
    const n = normFixture('cloudtrail-run-task-public-ip-with-overrides.json');
    const t = onlyResource(n, 'Task');
    expect(t).toMatchObject({
      arn: 'arn:aws:ecs:us-west-2:111122223333:task/prod-cluster/5c3a9e1f0b7d4e2a8c6b4d2f0e1a3c5b',
      group: 'family:db-migrate',
      launchType: 'FARGATE',
      enableExecuteCommand: true,
      network: { assignPublicIp: 'ENABLED' },
      eniIds: [], // PRECREATED: only subnetId
    });
    expect(n.taskDefinitionRefs).toHaveLength(1);
  });

  it('StartTask without networkConfiguration: a task with no network shown', () => {
    const t = onlyResource(normFixture('cloudtrail-start-task-ec2-privileged-taskdef.json'), 'Task');
    expect(t.network).toBeUndefined();
    expect(t.launchType).toBe('EC2');
  });

  it('CreateCluster: settings by name; ARN from the response, else built from clusterName', () => {
    const settings = [{ name: 'containerInsights', value: 'disabled' }];
    const withResponse = cloudTrailEvent({
      eventName: 'CreateCluster',
      requestParameters: { clusterName: 'batch', settings },
      responseElements: {
        cluster: { clusterArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/batch', clusterName: 'batch', settings },
      },
    });
    const requestOnly = cloudTrailEvent({ eventName: 'CreateCluster', requestParameters: { clusterName: 'batch', settings } });
    for (const raw of [withResponse, requestOnly])
      expect(onlyResource(norm(raw), 'Cluster')).toMatchObject({
        arn: 'arn:aws:ecs:us-west-2:111122223333:cluster/batch',
        name: 'batch',
        settings: { containerInsights: 'disabled' },
      });
  });
});

describe('normalize: ECS service and deployment events (trap 15)', () => {
  it('throttling: the service of resources[0]', () => {
    expect(normFixture('ecs-service-action-service-discovery-operation-throttled.json').signals).toEqual([
      {
        kind: 'ecsThrottle',
        eventName: 'SERVICE_DISCOVERY_OPERATION_THROTTLED',
        resourceArn: 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api',
      },
    ]);
  });

  it('throttling without resources: the cluster ARN of the detail', () => {
    const raw = fixture('ecs-service-action-operation-throttled.json');
    raw.resources = [];
    expect(norm(raw).signals[0]).toMatchObject({ resourceArn: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod-cluster' });
  });

  it('placement failure with reason', () => {
    expect(normFixture('ecs-service-action-task-placement-failure-fargate-spot.json').signals).toEqual([
      {
        kind: 'placementFailure',
        resourceArn: 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest',
        reason: 'RESOURCE:FARGATE',
      },
    ]);
  });

  it('deployment failed: service from resources[0], deployment id and reason', () => {
    expect(normFixture('ecs-deployment-state-change-failed-circuit-breaker.json').signals).toEqual([
      {
        kind: 'deploymentFailed',
        resourceArn: 'arn:aws:ecs:us-west-2:111122223333:service/default/servicetest',
        deploymentId: 'ecs-svc/123',
        reason: 'ECS deployment circuit breaker: task failed to start.',
      },
    ]);
  });

  it('unknown and informational event names are accepted and ignored', () => {
    for (const name of [
      'ecs-service-action-rebalancing-started-unknown-to-older-parsers.json',
      'ecs-service-action-steady-state.json',
      'ecs-service-action-capacity-provider-steady-state.json',
      'ecs-deployment-state-change-in-progress-rollback.json',
    ]) {
      const n = normFixture(name);
      expect(n.signals, name).toEqual([]);
      expect(n.resources, name).toEqual([]);
    }
    const future = fixture('ecs-service-action-steady-state.json');
    detailOf(future).eventName = 'SERVICE_SOMETHING_NEW_IN_2027';
    expect(norm(future).signals).toEqual([]);
  });

  it('unknown CloudTrail API names (and known ones without a rule) are accepted and ignored', () => {
    // v2: DeregisterTaskDefinition and DeleteService are write calls (ops-change-outside-pipeline), and
    // ExecuteCommand a session (task-exec-session): signals only, no resource.
    const signalsOf: Record<string, string[]> = {
      'cloudtrail-deregister-task-definition.json': ['ecsWrite'],
      'cloudtrail-delete-service-force.json': ['ecsWrite'],
      'cloudtrail-update-container-agent.json': [],
      'cloudtrail-execute-command.json': ['execSession'],
      'cloudtrail-put-account-setting-container-insights-disabled.json': [],
    };
    for (const [name, expected] of Object.entries(signalsOf)) {
      const n = normFixture(name);
      expect(kinds(n.resources), name).toEqual([]);
      expect(
        n.signals.map((s) => s.kind),
        name,
      ).toEqual(expected);
    }
    const unknown = cloudTrailEvent({ eventName: 'CreateExpressGatewayService', requestParameters: { anything: 1 } });
    expect(norm(unknown).resources).toEqual([]);
  });

  it('CloudTrail events of other services without an error are ignored', () => {
    const raw = fixture('cloudtrail-ec2-client-request-limit-exceeded.json');
    delete detailOf(raw).errorCode;
    expect(norm(raw).resources).toEqual([]);
    expect(norm(raw).signals).toEqual([]);
  });
});

describe('normalize: ARNs come from AWS, never from the caller (issue 15)', () => {
  const REAL = 'arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api:7';
  const FORGED = 'arn:aws:ecs:us-west-2:111122223333:task-definition/victim:1';
  const containers = [{ name: 'app', image: 'nginx', privileged: true }];

  it('a taskDefinitionArn (and revision) in requestParameters does not override the ARN of the response', () => {
    const raw = cloudTrailEvent({
      eventName: 'RegisterTaskDefinition',
      requestParameters: { family: 'checkout-api', containerDefinitions: containers, taskDefinitionArn: FORGED, revision: 1 },
      // The response without containerDefinitions (trimmed): the request's definition is evaluated.
      responseElements: { taskDefinition: { taskDefinitionArn: REAL } },
    });
    const td = onlyResource(norm(raw), 'TaskDefinition');
    expect(td.arn).toBe(REAL);
    expect(td.revision).toBe(7);
  });

  it('without any response ARN, a forged request ARN is still ignored: the family, no revision', () => {
    const raw = cloudTrailEvent({
      eventName: 'RegisterTaskDefinition',
      requestParameters: { family: 'checkout-api', containerDefinitions: containers, taskDefinitionArn: FORGED, revision: 1 },
    });
    const td = onlyResource(norm(raw), 'TaskDefinition');
    expect(td.arn).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api');
    expect(td.revision).toBeUndefined();
  });

  it('the response definition keeps its own ARN even when the request names another', () => {
    const raw = cloudTrailEvent({
      eventName: 'RegisterTaskDefinition',
      requestParameters: { family: 'checkout-api', containerDefinitions: containers, taskDefinitionArn: FORGED },
      responseElements: {
        taskDefinition: { family: 'checkout-api', revision: 7, taskDefinitionArn: REAL, containerDefinitions: containers },
      },
    });
    expect(onlyResource(norm(raw), 'TaskDefinition').arn).toBe(REAL);
  });
});

describe('normalize: response-only keys in requestParameters are ignored (issue 15)', () => {
  const VICTIM_SVC = 'arn:aws:ecs:us-west-2:111122223333:service/other/victim';
  const VICTIM_CLUSTER = 'arn:aws:ecs:us-west-2:111122223333:cluster/victim';

  it('UpdateService without a response: the ARN is built from service and cluster, never a serviceArn key', () => {
    const raw = cloudTrailEvent({
      eventName: 'UpdateService',
      requestParameters: {
        cluster: 'prod',
        service: 'api',
        serviceArn: VICTIM_SVC,
        clusterArn: VICTIM_CLUSTER,
        enableExecuteCommand: true,
      },
    });
    const svc = onlyResource(norm(raw), 'Service');
    expect(svc.arn).toBe('arn:aws:ecs:us-west-2:111122223333:service/prod/api');
    expect(svc.clusterArn).toBe('arn:aws:ecs:us-west-2:111122223333:cluster/prod');
  });

  it('CreateCluster without a response: the ARN is built from clusterName, never a clusterArn key', () => {
    const raw = cloudTrailEvent({
      eventName: 'CreateCluster',
      requestParameters: {
        clusterName: 'batch',
        clusterArn: VICTIM_CLUSTER,
        settings: [{ name: 'containerInsights', value: 'disabled' }],
      },
    });
    expect(onlyResource(norm(raw), 'Cluster').arn).toBe('arn:aws:ecs:us-west-2:111122223333:cluster/batch');
  });

  it('CreateTaskSet without a response: never the taskSetArn or serviceArn of the request', () => {
    const raw = cloudTrailEvent({
      eventName: 'CreateTaskSet',
      requestParameters: {
        cluster: 'prod',
        service: 'api',
        taskSetArn: 'arn:aws:ecs:us-west-2:111122223333:task-set/other/victim/ecs-svc/1',
        serviceArn: VICTIM_SVC,
        taskDefinition: 'api:3',
      },
    });
    const ts = onlyResource(norm(raw), 'TaskSet');
    expect(ts.arn).not.toContain('victim');
    expect(ts.serviceArn).toBe('arn:aws:ecs:us-west-2:111122223333:service/prod/api');
  });
});

describe('normalize: RunTask without a response is never silently clean (issue 15)', () => {
  const request = {
    cluster: 'prod-cluster',
    taskDefinition: 'db-migrate:3',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'], assignPublicIp: 'ENABLED' } },
  };
  for (const [name, responseElements] of [
    ['responseElements null', null],
    ['responseElements omitted', undefined],
    ['no tasks key', {}],
    ['tasks: [] and no failures', { tasks: [], failures: [] }],
  ] as const) {
    it(`${name}: incomplete (not checked), no resource`, () => {
      const raw = cloudTrailEvent({
        eventName: 'RunTask',
        requestParameters: request,
        ...(responseElements !== undefined ? { responseElements } : {}),
      });
      const n = norm(raw);
      expect(n.resources).toEqual([]);
      expect(n.incomplete?.reason).toMatch(/tasks started are unknown \(not checked\)/);
    });
  }
});
