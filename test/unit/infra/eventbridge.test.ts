/**
 * Every EventBridge target of the central stack (rules with a pattern, schedules, EventBridge Scheduler
 * schedules: whatever another file adds) has a retry policy and a dead-letter queue that lets it in, so an
 * undeliverable event or schedule tick is kept and alarmed, never lost; no function declares an osls
 * `schedule` or `eventBridge` event (those cannot carry either). The central bus takes events from other
 * accounts only with aws:PrincipalOrgID. The packaged template is checked again by package.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  asArray,
  centralTemplate,
  readService,
  resolveVariable,
  type Json,
  type Statement,
} from './templates';

const central = centralTemplate();
const service = readService();
const byType = (type: string) => Object.entries(central.Resources).filter(([, r]) => r.Type === type);
const getAtt = (x: unknown): string | undefined =>
  (x as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];

/** `${self:custom.eventTarget.x}` -> its number (the default of its ${param:...}). */
const numberOf = (v: unknown): number => {
  const m = /^\$\{self:custom\.([\w.]+)\}$/.exec(String(v));
  return Number(m ? resolveVariable(v, service) : v);
};

function queuePolicyAllows(queue: string, sourceRule: string): boolean {
  return byType('AWS::SQS::QueuePolicy')
    .filter(([, qp]) => asArray(qp.Properties.Queues as unknown[]).some((q) => (q as Json).Ref === queue))
    .flatMap(([, qp]) => asArray((qp.Properties.PolicyDocument as { Statement: Statement[] }).Statement))
    .some(
      (s) =>
        s.Effect === 'Allow' &&
        (s.Principal as { Service?: string }).Service === 'events.amazonaws.com' &&
        asArray(s.Action).includes('sqs:SendMessage') &&
        asArray((s.Condition?.ArnEquals as Json | undefined)?.['aws:SourceArn']).some(
          (a) => getAtt(a) === sourceRule,
        ),
    );
}

describe('central EventBridge targets: retry policy and dead-letter queue on every one', () => {
  const rules = byType('AWS::Events::Rule');

  it('covers the event rules and the sweep schedule', () => {
    expect(rules.filter(([, r]) => r.Properties.EventPattern).length).toBeGreaterThanOrEqual(3);
    expect(rules.filter(([, r]) => r.Properties.ScheduleExpression).map(([id]) => id)).toContain(
      'SweepScheduleRule',
    );
  });

  it.each(rules.map(([id]) => id))(
    '%s: every target retries, then dead-letters into a queue that lets the rule in',
    (id) => {
      const rule = central.Resources[id]!;
      const targets = asArray(rule.Properties.Targets as Json[]);
      expect(targets.length, id).toBeGreaterThan(0);
      for (const t of targets) {
        const retry = t.RetryPolicy as Json | undefined;
        expect(retry, `${id} RetryPolicy`).toBeDefined();
        expect(numberOf(retry!.MaximumRetryAttempts), `${id} retries`).toBeGreaterThan(0);
        expect(numberOf(retry!.MaximumEventAgeInSeconds), `${id} event age`).toBeGreaterThanOrEqual(60);
        const dlq = getAtt((t.DeadLetterConfig as Json | undefined)?.Arn);
        expect(central.Resources[dlq ?? '']?.Type, `${id} DeadLetterConfig`).toBe('AWS::SQS::Queue');
        expect(queuePolicyAllows(dlq!, id), `${id}: the queue policy of ${dlq} lets it send`).toBe(true);
        // A KMS-encrypted DLQ: the key lets EventBridge use it only for rules named with the stack's prefix.
        if (central.Resources[dlq!]!.Properties.KmsMasterKeyId)
          expect(String(rule.Properties.Name), `${id} Name (the key policy of ${dlq})`).toMatch(
            /^\$\{self:service\}-\$\{sls:stage\}-/,
          );
      }
    },
  );

  it('every EventBridge Scheduler schedule (if any) has a retry policy and a dead-letter queue', () => {
    for (const [id, sch] of byType('AWS::Scheduler::Schedule')) {
      const target = sch.Properties.Target as Json;
      expect(target.RetryPolicy, id).toBeDefined();
      expect((target.DeadLetterConfig as Json | undefined)?.Arn, id).toBeDefined();
    }
  });

  it('no function declares an osls schedule or eventBridge event (they cannot carry a DLQ or retry policy)', () => {
    for (const [fn, f] of Object.entries(service.functions))
      for (const e of asArray(f.events as Json[] | undefined)) {
        expect(Object.keys(e), fn).not.toContain('schedule');
        expect(Object.keys(e), fn).not.toContain('eventBridge');
      }
  });

  it('the sweep schedule: rate(6 hours), enabled, the sweep function with its Lambda permission', () => {
    const p = central.Resources.SweepScheduleRule!.Properties;
    expect(p.ScheduleExpression).toBe('rate(6 hours)');
    expect(p.State).toBe('ENABLED');
    expect(asArray(p.Targets as Json[]).map((t) => getAtt(t.Arn))).toEqual(['SweepLambdaFunction']);
    const permissions = byType('AWS::Lambda::Permission').filter(
      ([, x]) => getAtt(x.Properties.SourceArn) === 'SweepScheduleRule',
    );
    expect(permissions.map(([, x]) => [getAtt(x.Properties.FunctionName), x.Properties.Principal])).toEqual([
      ['SweepLambdaFunction', 'events.amazonaws.com'],
    ]);
  });
});

describe('central bus: events from other accounts only from the organization', () => {
  it('every bus policy statement open to other accounts is limited by aws:PrincipalOrgID', () => {
    const policies = byType('AWS::Events::EventBusPolicy');
    expect(policies.length).toBeGreaterThan(0);
    for (const [id, p] of policies) {
      for (const s of asArray(p.Properties.Statement as Statement | Statement[])) {
        expect(s.Action, id).toBe('events:PutEvents');
        expect((s.Condition?.StringEquals as Json | undefined)?.['aws:PrincipalOrgID'], id).toEqual({
          Ref: 'OrganizationId',
        });
      }
      expect(p.Condition, `${id} only when an organization id is set`).toBe('AcceptOrganizationEvents');
    }
  });
});
