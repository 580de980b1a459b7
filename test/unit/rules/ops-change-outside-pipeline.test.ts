/** ops-change-outside-pipeline: ECS write calls by principals outside `allowPrincipals`. */
import { describe, expect, it } from 'vitest';
import type { EcsWriteSignal } from '../../../shared/events/signals';
import { normalize } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import { evaluate } from '../../../shared/engine/evaluate';
import { parsePolicy } from '../../../shared/policy/load';
import { detailOf, fixture } from '../events/fixtures';
import {
  ACCOUNT,
  checkSignal,
  cloudTrailEvent,
  createService,
  defaultParams,
  paramsWith,
  registerTaskDefinitionEvent,
  runTask,
  startedTask,
} from './helpers';

const PIPELINE = `arn:aws:sts::${ACCOUNT}:assumed-role/DeployRole/*`;
const allow = (...globs: string[]) => paramsWith('ops-change-outside-pipeline', { allowPrincipals: globs });

const write = (over: Partial<EcsWriteSignal> = {}): EcsWriteSignal => ({
  kind: 'ecsWrite',
  eventName: 'UpdateService',
  resourceType: 'AWS::ECS::Service',
  resourceArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:service/prod-cluster/checkout-api`,
  callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSReservedSSO_Admin_0123/alice@example.com`,
  callerType: 'AssumedRole',
  callerRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123`,
  ...over,
});

const policyWith = (params: unknown) =>
  parsePolicy(
    JSON.stringify({ version: 1, rules: { 'ops-change-outside-pipeline': { mode: 'notify', params } } }),
  );

/** The rule's findings on a raw event under a policy that allows the pipeline role. */
function run(raw: unknown, globs: string[] = [PIPELINE]) {
  const policy = policyWith({ allowPrincipals: globs });
  return evaluate(normalize(parseEvent(raw)), { policy }).findings.filter(
    (f) => f.ruleId === 'ops-change-outside-pipeline',
  );
}

describe('ops-change-outside-pipeline', () => {
  it('is inactive by default (allowPrincipals empty)', () => {
    expect(defaultParams('ops-change-outside-pipeline')).toEqual({ allowPrincipals: [] });
    expect(checkSignal('ops-change-outside-pipeline', write())).toBeUndefined();
  });

  it('fires for a caller matching no glob, naming the call and the caller', () => {
    expect(checkSignal('ops-change-outside-pipeline', write(), allow(PIPELINE))).toEqual({
      resource: { type: 'AWS::ECS::Service', arn: write().resourceArn },
      evidence: [
        {
          path: 'detail.userIdentity.arn',
          message: `UpdateService by ${write().callerArn}, which matches none of allowPrincipals`,
        },
      ],
    });
  });

  it('does not fire for a caller a glob matches (ARNs compare exactly: case matters)', () => {
    const pipeline = write({ callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/DeployRole/codebuild-42` });
    expect(checkSignal('ops-change-outside-pipeline', pipeline, allow(PIPELINE))).toBeUndefined();
    const lookalike = write({ callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployrole/codebuild-42` });
    expect(checkSignal('ops-change-outside-pipeline', lookalike, allow(PIPELINE))).toBeDefined();
  });

  it("edge: ECS's service-linked role and AWS service principals are never flagged", () => {
    const p = allow(PIPELINE);
    expect(
      checkSignal(
        'ops-change-outside-pipeline',
        write({ callerType: 'AWSService', callerArn: undefined, invokedBy: 'ecs.amazonaws.com' }),
        p,
      ),
    ).toBeUndefined();
    const slr = write({
      callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForECS/ecs-service-scheduler`,
      callerRoleArn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`,
    });
    expect(checkSignal('ops-change-outside-pipeline', slr, p)).toBeUndefined();
    expect(
      checkSignal(
        'ops-change-outside-pipeline',
        write({ callerArn: slr.callerArn, callerRoleArn: undefined }),
        p,
      ),
    ).toBeUndefined();
  });

  it('hostile: a customer role NAMED like a service-linked role is not one (its issuer path says so); an absent caller is flagged', () => {
    const p = allow(PIPELINE);
    const fake = write({
      callerArn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForECS/me`,
      callerRoleArn: `arn:aws:iam::${ACCOUNT}:role/AWSServiceRoleForECS`,
    });
    expect(checkSignal('ops-change-outside-pipeline', fake, p)).toBeDefined();
    const anonymous = checkSignal(
      'ops-change-outside-pipeline',
      write({ callerArn: undefined, callerType: undefined, callerRoleArn: undefined }),
      p,
    );
    expect(anonymous?.evidence[0]?.message).toBe(
      'UpdateService by an unknown caller, which matches none of allowPrincipals',
    );
  });

  it('end to end: every API of the list maps to the resource it changed', () => {
    const cases: [unknown, string][] = [
      [registerTaskDefinitionEvent(), `arn:aws:ecs:us-west-2:${ACCOUNT}:task-definition/checkout-api:42`],
      [
        fixture('cloudtrail-deregister-task-definition.json'),
        'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7',
      ],
      [createService({}), `arn:aws:ecs:us-west-2:${ACCOUNT}:service/prod-cluster/checkout-api`],
      [fixture('cloudtrail-delete-service-force.json'), ''],
      [
        runTask({}, [startedTask('t1'), startedTask('t2')]),
        `arn:aws:ecs:us-west-2:${ACCOUNT}:task/prod-cluster/t1`,
      ],
      [
        cloudTrailEvent({
          eventName: 'StopTask',
          requestParameters: { cluster: 'prod-cluster', task: 'abc123', reason: 'x' },
        }),
        `arn:aws:ecs:us-west-2:${ACCOUNT}:task/prod-cluster/abc123`,
      ],
      [
        cloudTrailEvent({
          eventName: 'UpdateTaskSet',
          requestParameters: {
            cluster: 'prod-cluster',
            service: 'checkout-api',
            taskSet: 'ecs-svc/123',
            scale: { value: 50, unit: 'PERCENT' },
          },
        }),
        `arn:aws:ecs:us-west-2:${ACCOUNT}:task-set/prod-cluster/checkout-api/ecs-svc/123`,
      ],
      [
        cloudTrailEvent({
          eventName: 'DeleteTaskSet',
          requestParameters: { cluster: 'prod-cluster', service: 'checkout-api', taskSet: 'ecs-svc/123' },
          responseElements: {
            taskSet: {
              taskSetArn: `arn:aws:ecs:us-west-2:${ACCOUNT}:task-set/prod-cluster/checkout-api/ecs-svc/123`,
            },
          },
        }),
        `arn:aws:ecs:us-west-2:${ACCOUNT}:task-set/prod-cluster/checkout-api/ecs-svc/123`,
      ],
      [
        cloudTrailEvent({ eventName: 'DeleteCluster', requestParameters: { cluster: 'old-cluster' } }),
        `arn:aws:ecs:us-west-2:${ACCOUNT}:cluster/old-cluster`,
      ],
      [
        cloudTrailEvent({
          eventName: 'PutClusterCapacityProviders',
          requestParameters: {
            cluster: 'prod-cluster',
            capacityProviders: ['FARGATE'],
            defaultCapacityProviderStrategy: [],
          },
        }),
        `arn:aws:ecs:us-west-2:${ACCOUNT}:cluster/prod-cluster`,
      ],
      [
        cloudTrailEvent({
          eventName: 'UpdateClusterSettings',
          requestParameters: {
            cluster: 'prod-cluster',
            settings: [{ name: 'containerInsights', value: 'enabled' }],
          },
        }),
        `arn:aws:ecs:us-west-2:${ACCOUNT}:cluster/prod-cluster`,
      ],
    ];
    for (const [raw, arn] of cases) {
      // Caller outside the list: nobody is allowed but a role that never calls.
      const found = run(raw, ['arn:aws:iam::999999999999:role/nobody']);
      expect(found.length, JSON.stringify(arn)).toBeGreaterThan(0);
      if (arn) expect(found[0]?.resource.arn).toBe(arn);
    }
    // RunTask: one finding per started task.
    expect(run(runTask({}, [startedTask('t1'), startedTask('t2')]), ['x'])).toHaveLength(2);
  });

  it('end to end: the pipeline role is allowed; read calls, failed calls and other APIs are never write calls', () => {
    expect(run(createService({}))).toEqual([]); // the builders' caller is DeployRole
    const describe = cloudTrailEvent({
      eventName: 'DescribeServices',
      requestParameters: { services: ['x'] },
      role: 'Human',
    });
    expect(run(describe)).toEqual([]);
    const failed = cloudTrailEvent({
      eventName: 'DeleteService',
      errorCode: 'AccessDeniedException',
      requestParameters: { service: 'x' },
      role: 'Human',
    });
    expect(run(failed)).toEqual([]);
    const create = cloudTrailEvent({
      eventName: 'CreateCluster',
      requestParameters: { clusterName: 'c' },
      role: 'Human',
    });
    expect(run(create)).toEqual([]); // not in the API list of the rule
  });

  it('hostile: the remediator deregistering the corpus definition is flagged unless allowed; a wrong type is an invalid event', () => {
    const raw = fixture('cloudtrail-deregister-task-definition.json');
    expect(run(raw)).toHaveLength(1);
    expect(run(raw, [PIPELINE, 'arn:aws:sts::111122223333:assumed-role/guardrail-remediator/*'])).toEqual([]);
    const bad = cloudTrailEvent({
      eventName: 'StopTask',
      requestParameters: { cluster: 'prod-cluster', task: 42 },
    });
    expect(() => run(bad)).toThrow(/requestParameters\.task: expected string/);
    const noResponse = fixture('cloudtrail-deregister-task-definition.json');
    delete detailOf(noResponse).responseElements;
    expect(run(noResponse)[0]?.resource.arn).toMatch(/task-definition\/node-exporter/);
  });

  it('policy: allowPrincipals must be a list of non-empty strings (at most 100)', () => {
    expect(() => policyWith({ allowPrincipals: 'arn:*' })).toThrow(/allowPrincipals/);
    expect(() => policyWith({ allowPrincipals: [''] })).toThrow(/allowPrincipals/);
    expect(() => policyWith({ allowPrincipals: Array(101).fill('x') })).toThrow(/allowPrincipals/);
    expect(policyWith({ allowPrincipals: [PIPELINE] }).rules['ops-change-outside-pipeline']?.params).toEqual({
      allowPrincipals: [PIPELINE],
    });
  });
});
