/** taskset-public-ip: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import { detailOf, fixture } from '../events/fixtures';
import { check, evaluateOne, NETWORK, only, ruleIds, taskSet } from './helpers';

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

describe('taskset-public-ip: compliant input', () => {
  it('a compliant task set passes (direct)', () => {
    expect(check('taskset-public-ip', taskSet())).toEqual([]);
  });
});
