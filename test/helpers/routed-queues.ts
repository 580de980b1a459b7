/**
 * The deployed routing in moto: one EventBridge rule per function on the default bus, with the real
 * pattern of infra/event-patterns.json, targeting an SQS queue of its own (moto delivers to SQS, not to
 * Lambda), so a test sees which function an event would reach.
 */
import {
  PutRuleCommand,
  PutTargetsCommand,
  type EventBridgeClient,
  type RuleState,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import patterns from '../../infra/event-patterns.json';

export type RoutedFunction = keyof typeof patterns;
export const ROUTED_FUNCTIONS = Object.keys(patterns) as RoutedFunction[];

/** Creates `<prefix>-<fn>` queues and rules; returns each function's queue URL. */
export async function createRoutedQueues(
  events: EventBridgeClient,
  sqs: SQSClient,
  prefix: string,
  state?: Readonly<Record<RoutedFunction, RuleState>>,
): Promise<Record<RoutedFunction, string>> {
  const urls = {} as Record<RoutedFunction, string>;
  for (const fn of ROUTED_FUNCTIONS) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${prefix}-${fn}` }));
    urls[fn] = QueueUrl!;
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    const rule = `${prefix}-${fn}`;
    await events.send(
      new PutRuleCommand({
        Name: rule,
        EventPattern: JSON.stringify(patterns[fn]),
        ...(state ? { State: state[fn] } : {}),
      }),
    );
    const put = await events.send(
      new PutTargetsCommand({ Rule: rule, Targets: [{ Id: fn, Arn: attrs.Attributes!.QueueArn! }] }),
    );
    if (put.FailedEntryCount) throw new Error(`PutTargets failed for ${rule}`);
  }
  return urls;
}
