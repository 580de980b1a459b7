/** One finding per (rule, resource); the finding contract (shared/model/finding.ts). */
import { describe, expect, it } from 'vitest';
import { evaluateRaw } from '../../../shared/engine/run';
import { byRule, deps, findingsOf, fixture, okContainer, one, registerTd, tdArn } from './builders';

describe('one finding per (rule, resource)', () => {
  it('several offending containers make one finding whose evidence lists each container', async () => {
    const td = registerTd({
      family: 'batch',
      revision: 2,
      containers: [
        okContainer('a', { privileged: true }),
        okContainer('b'),
        okContainer('c', { privileged: true }),
        okContainer('d', { privileged: true }),
      ],
    });
    const f = one(await findingsOf(td), 'td-privileged');
    expect(f.evidence).toEqual([
      { path: 'containerDefinitions[0].privileged', message: 'container "a" is privileged', container: 'a' },
      { path: 'containerDefinitions[2].privileged', message: 'container "c" is privileged', container: 'c' },
      { path: 'containerDefinitions[3].privileged', message: 'container "d" is privileged', container: 'd' },
    ]);
    expect(f.resource).toEqual({ type: 'AWS::ECS::TaskDefinition', arn: tdArn('batch', 2), name: 'batch:2' });
  });

  it('each rule makes its own finding on the same resource', async () => {
    const td = registerTd({
      containers: [okContainer('a', { privileged: true, user: '0', readonlyRootFilesystem: false })],
    });
    const rules = (await findingsOf(td)).map((f) => f.ruleId).sort();
    expect(rules).toEqual(['td-privileged', 'td-root-user', 'td-writable-root-fs']);
  });

  it('a compliant task definition makes no finding', async () => {
    expect(await findingsOf(fixture('cloudtrail-register-task-definition-compliant-fargate.json'))).toEqual(
      [],
    );
    expect(await findingsOf(registerTd({ containers: [okContainer('a'), okContainer('b')] }))).toEqual([]);
  });

  it('RunTask with two started tasks makes one finding per task', async () => {
    const run = fixture('cloudtrail-run-task-public-ip-with-overrides.json');
    const detail = run.detail as Record<string, Record<string, unknown[]>>;
    const task = detail.responseElements!.tasks![0] as Record<string, unknown>;
    detail.responseElements!.tasks = [task, { ...task, taskArn: `${String(task.taskArn)}-second` }];
    const findings = byRule(await findingsOf(run), 'task-public-ip');
    expect(findings).toHaveLength(2);
    expect(new Set(findings.map((f) => f.findingId)).size).toBe(2);
  });
});

describe('the finding contract', () => {
  it('carries the minimum fields of the finding contract', async () => {
    const raw = fixture('cloudtrail-register-task-definition-privileged.json');
    const f = one(await findingsOf(raw), 'td-privileged');
    expect(f).toMatchObject({
      findingId: expect.stringMatching(/^[0-9a-f]{32}$/),
      ruleId: 'td-privileged',
      severity: 'critical',
      title: expect.any(String),
      resource: {
        type: 'AWS::ECS::TaskDefinition',
        arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7',
      },
      account: '111122223333',
      region: 'us-west-2',
      event: {
        id: '9531985d-5d9d-49f8-9818-e811892f902b',
        source: 'aws.ecs',
        detailType: 'AWS API Call via CloudTrail',
        time: '2026-03-02T08:01:12Z',
        actor: {
          arn: 'arn:aws:sts::111122223333:assumed-role/DeployRole/jane.doe',
          roleArn: 'arn:aws:iam::111122223333:role/DeployRole',
        },
      },
      controls: { securityHub: 'ECS.4', checkov: 'CKV_AWS_334' },
      mode: 'notify',
    });
    expect(f.evidence.length).toBeGreaterThan(0);
    for (const e of f.evidence) expect(Object.keys(e).sort()).toEqual(['container', 'message', 'path']);
    // Serializes as plain JSON with camelCase keys.
    const json = JSON.parse(JSON.stringify(f)) as Record<string, unknown>;
    for (const k of Object.keys(json)) expect(k).toMatch(/^[a-z][A-Za-z]*$/);
  });

  it('an unknown detail-type is accepted and ignored', async () => {
    const raw = { ...fixture('ecs-service-action-steady-state.json'), 'detail-type': 'Something New' };
    const r = await evaluateRaw(raw, deps());
    expect(r.findings).toEqual([]);
    expect(r.event.detailType).toBe('Something New');
  });

  it('a failed (non-throttling) CloudTrail call makes no configuration finding', async () => {
    const raw = registerTd({ containers: [okContainer('a', { privileged: true })] });
    (raw.detail as Record<string, unknown>).errorCode = 'InvalidParameterException';
    expect(await findingsOf(raw)).toEqual([]);
  });

  it('a truncated registration is reported incomplete, never compliant', async () => {
    const r = await evaluateRaw(
      fixture('cloudtrail-register-task-definition-truncated-omitted.json'),
      deps(),
    );
    expect(r.findings).toEqual([]);
    expect(r.incomplete?.reason).toContain('truncated');
  });
});
