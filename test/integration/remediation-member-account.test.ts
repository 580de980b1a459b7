/**
 * infra/member-account.yml's forwarding rules in moto's EventBridge: the rules are created in a member
 * account exactly as the template writes them (pattern, state, the central bus as target), the central
 * account gets the central stack's rules (infra/event-patterns.json) with SQS targets, and every
 * fixture event is put once on the central bus directly and once on the member's bus. Whatever the
 * central rules take directly must also arrive when it happens in a member account.
 * (moto rewrites `account` on forwarded events and enforces no bus policy: docs/local-pipeline.md.)
 */
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureNames, loadFixture } from '../helpers/fixtures';
import { startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';
import { clientConfig, HOME, MEMBER, readTemplate } from '../unit/remediation/helpers';

const CENTRAL_PATTERNS = join(__dirname, '..', '..', 'infra', 'event-patterns.json');
const CENTRAL_BUS = `arn:aws:events:us-east-1:${HOME}:event-bus/default`;

interface RuleResource {
  Type: string;
  Properties: { State: string; EventPattern: unknown; Targets: { Arn: unknown }[] };
}

let moto: Moto;
let central: { events: EventBridgeClient; sqs: SQSClient };
let member: EventBridgeClient;
const queues: Record<string, string> = {};
let patterns: Record<string, unknown>;

function fixtures(): { name: string; event: Record<string, unknown> }[] {
  return fixtureNames().map((name) => ({ name, event: loadFixture(name) }));
}

const entryOf = (e: Record<string, unknown>) => ({
  Source: e.source as string,
  DetailType: e['detail-type'] as string,
  Detail: JSON.stringify(e.detail),
  Resources: (e.resources as string[] | undefined) ?? [],
});

async function depth(url: string): Promise<number> {
  const r = await central.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(r.Attributes?.ApproximateNumberOfMessages ?? 0);
}

async function depths(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, url] of Object.entries(queues)) out[name] = await depth(url);
  return out;
}

beforeAll(async () => {
  moto = await startMoto();
  const c = clientConfig(moto, TEST_CREDENTIALS);
  central = { events: new EventBridgeClient(c), sqs: new SQSClient(c) };
  const sts = new STSClient(c);
  const assumed = await sts.send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/admin`, RoleSessionName: 'setup' }),
  );
  member = new EventBridgeClient(
    clientConfig(moto, {
      accessKeyId: assumed.Credentials!.AccessKeyId!,
      secretAccessKey: assumed.Credentials!.SecretAccessKey!,
      sessionToken: assumed.Credentials!.SessionToken!,
    }),
  );

  // Central account: the central stack's rules, each to its own queue.
  patterns = JSON.parse(readFileSync(CENTRAL_PATTERNS, 'utf8')) as Record<string, unknown>;
  for (const [name, pattern] of Object.entries(patterns)) {
    const q = await central.sqs.send(new CreateQueueCommand({ QueueName: `central-${name}` }));
    queues[name] = q.QueueUrl!;
    const arn = `arn:aws:sqs:us-east-1:${HOME}:central-${name}`;
    await central.events.send(
      new PutRuleCommand({ Name: `central-${name}`, EventPattern: JSON.stringify(pattern) }),
    );
    await central.events.send(
      new PutTargetsCommand({ Rule: `central-${name}`, Targets: [{ Id: 'q', Arn: arn }] }),
    );
  }

  // Member account: the template's rules, as written, targeting the central bus.
  const template = readTemplate() as { Resources: Record<string, RuleResource> };
  const rules = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::Events::Rule');
  // One forwarding rule per central rule (generated from infra/event-patterns.json).
  expect(rules.length).toBe(Object.keys(patterns).length);
  for (const [name, rule] of rules) {
    await member.send(
      new PutRuleCommand({
        Name: name,
        EventPattern: JSON.stringify(rule.Properties.EventPattern),
        State: rule.Properties.State as 'ENABLED',
      }),
    );
    expect(rule.Properties.Targets[0]!.Arn).toEqual({ Ref: 'CentralEventBusArn' });
    await member.send(
      new PutTargetsCommand({
        Rule: name,
        Targets: [{ Id: 'central-bus', Arn: CENTRAL_BUS, RoleArn: `arn:aws:iam::${MEMBER}:role/forwarding` }],
      }),
    );
  }
});
afterAll(async () => {
  await moto?.stop();
});

describe('member-account event forwarding', () => {
  it('every event the central rules take directly also arrives from a member account', async () => {
    const all = fixtures();
    expect(all.length).toBeGreaterThan(20);
    const direct: Record<string, Record<string, number>> = {};
    const forwarded: Record<string, Record<string, number>> = {};
    const delta = (a: Record<string, number>, b: Record<string, number>) =>
      Object.fromEntries(Object.keys(b).map((k) => [k, b[k]! - a[k]!]));
    let before = await depths();
    for (const { name, event } of all) {
      const r1 = await central.events.send(new PutEventsCommand({ Entries: [entryOf(event)] }));
      expect(r1.FailedEntryCount ?? 0).toBe(0);
      const mid = await depths();
      direct[name] = delta(before, mid);
      const r2 = await member.send(new PutEventsCommand({ Entries: [entryOf(event)] }));
      expect(r2.FailedEntryCount ?? 0).toBe(0);
      before = await depths();
      forwarded[name] = delta(mid, before);
    }
    expect(forwarded).toEqual(direct);
    // The comparison is not vacuous: most fixtures reach a central function.
    const routed = Object.values(direct).filter((d) => Object.values(d).some((n) => n > 0));
    expect(routed.length).toBeGreaterThan(15);
  }, 120_000); // moto takes 0.3 to 0.8 s per delivered event
});
