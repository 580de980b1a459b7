/** Compliant service and task launches yield no finding end to end. */
import { describe, expect, it } from 'vitest';
import { ACCOUNT, REGION, cloudTrailEvent, evaluateOne } from './helpers';

const NETWORK = {
  awsvpcConfiguration: {
    subnets: ['subnet-0a1b2c3d4e5f60718'],
    securityGroups: ['sg-0123456789abcdef0'],
    assignPublicIp: 'DISABLED',
  },
};

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

describe('workload events', () => {
  it('a compliant CreateService and RunTask yield no finding end to end', async () => {
    expect((await evaluateOne(createService({}))).findings).toEqual([]);
    expect((await evaluateOne(runTask({}, [startedTask('a')]))).findings).toEqual([]);
  });
});
