/**
 * The backfill picks the CloudTrail records the live rules would route with its own matcher of the
 * patterns of infra/event-patterns.json (shared/backfill/event-pattern.ts). Here it is compared with
 * EventBridge's own matching as moto implements it on the bus (moto has no TestEventPattern): the three
 * patterns as rules on moto's default bus with a queue each, as test/integration/routing.test.ts does,
 * and every corpus event and variant put on it; the matcher must pick exactly the rules moto delivers to.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import patterns from '../../infra/event-patterns.json';
import { assertSupported, matchesPattern } from '../../shared/backfill/event-pattern';
import { recordToEvent } from '../../shared/events/cloudtrail-record';
import { fixtureNames, loadFixture } from '../helpers/fixtures';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { createRoutedQueues } from '../helpers/routed-queues';

type Raw = Record<string, any>;
const FUNCTIONS = Object.keys(patterns) as (keyof typeof patterns)[];
let moto: Moto;
let events: EventBridgeClient;
let sqs: SQSClient;
const queues = {} as Record<string, string>;

beforeAll(async () => {
  moto = await startMoto();
  events = new EventBridgeClient(motoClientConfig(moto));
  sqs = new SQSClient(motoClientConfig(moto));
  Object.assign(queues, await createRoutedQueues(events, sqs, 'backfill-routing'));
}, 60_000);

afterAll(async () => {
  await moto?.stop();
});

/** Every corpus event, and for CloudTrail ones the event the backfill builds from the record, plus variants. */
function cases(): [string, Raw][] {
  const out: [string, Raw][] = [];
  for (const name of fixtureNames()) {
    const e = loadFixture<Raw>(name);
    out.push([name, e]);
    if (e['detail-type'] !== 'AWS API Call via CloudTrail') continue;
    out.push([`${name} (from its record)`, recordToEvent(e.detail) as Raw]);
    const failed = structuredClone(e.detail);
    failed.errorCode = 'AccessDenied';
    out.push([`${name} with errorCode AccessDenied`, recordToEvent(failed) as Raw]);
    const throttled = structuredClone(e.detail);
    throttled.errorCode = 'ThrottlingException';
    out.push([`${name} throttled`, recordToEvent(throttled) as Raw]);
    const read = structuredClone(e.detail);
    read.eventName = 'DescribeServices';
    out.push([`${name} as DescribeServices`, recordToEvent(read) as Raw]);
  }
  return out;
}

async function deliveredTo(e: Raw): Promise<string[]> {
  const put = await events.send(
    new PutEventsCommand({
      Entries: [
        { Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail), Resources: [] },
      ],
    }),
  );
  expect(put.FailedEntryCount).toBe(0);
  const got: string[] = [];
  for (const fn of FUNCTIONS) {
    const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[fn], MaxNumberOfMessages: 10 }));
    const msgs = r.Messages ?? [];
    if (msgs.length) {
      got.push(fn);
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queues[fn],
          Entries: msgs.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
        }),
      );
    }
  }
  return got;
}

describe("the backfill's pattern matcher = EventBridge's (moto's bus)", () => {
  it('supports every operator the patterns use', () => {
    for (const [fn, p] of Object.entries(patterns)) expect(() => assertSupported(p, fn)).not.toThrow();
  });

  it('an operator it does not implement is refused by name, never treated as a match', () => {
    expect(() => assertSupported({ detail: { eventName: [{ prefix: 'Run' }] } })).toThrow(
      'event pattern $.detail.eventName[0]: operator not supported by the backfill',
    );
    expect(() => assertSupported({ $or: {} })).toThrow('event pattern $.$or: must be an array');
  });

  it('the same rules for every corpus event and variant', async () => {
    const all = cases();
    expect(all.length).toBeGreaterThan(80);
    let routed = 0;
    for (const [name, event] of all) {
      const ours = FUNCTIONS.filter((fn) => matchesPattern(patterns[fn], event));
      expect(ours, name).toEqual(await deliveredTo(event));
      if (ours.length) routed++;
    }
    expect(routed).toBeGreaterThan(20);
    expect(routed).toBeLessThan(all.length);
  }, 180_000);
});
