/**
 * The work a Slack request asks for, queued by the interactivity function (which must answer Slack
 * within 3 seconds) and done by the worker (./worker.ts) from an SQS queue: one JSON message per press or
 * submission, carrying who (workspace, user), what (action, finding id) and where to answer
 * (response_url). The queue retries a failed job and dead-letters it after its maxReceiveCount.
 */
import * as v from 'valibot';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SLACK_ACTIONS } from '../plugins/channels/slack';
import { notifyClientConfig } from '../notify/clients';
import { GuardrailError } from '../base/errors';

const JobSchema = v.object({
  /** The request's signature hash: the job's id (a retried job keeps it). */
  requestId: v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/)),
  at: v.pipe(v.string(), v.isoTimestamp()),
  team: v.pipe(v.string(), v.regex(/^T[A-Z0-9]{2,20}$/)),
  user: v.pipe(v.string(), v.regex(/^[UW][A-Z0-9]{2,20}$/)),
  action: v.picklist(SLACK_ACTIONS),
  findingId: v.pipe(v.string(), v.regex(/^[0-9a-f]{32}$/)),
  responseUrl: v.optional(v.string()),
  /** Snooze: 1 or 7 days. */
  days: v.optional(v.number()),
  /** Exempt (the modal's submission). */
  exemption: v.optional(
    v.object({ reason: v.string(), until: v.string(), container: v.optional(v.string()) }),
  ),
  /** Set when the interactivity function refused the request: the worker audits it and tells the user. */
  refused: v.optional(v.string()),
});

export type SlackJob = v.InferOutput<typeof JobSchema>;

export class InvalidSlackJobError extends GuardrailError {
  override readonly name = 'InvalidSlackJobError';
}

export function parseSlackJob(body: string): SlackJob {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new InvalidSlackJobError('Slack job: body is not JSON');
  }
  const r = v.safeParse(JobSchema, json);
  if (!r.success)
    throw new InvalidSlackJobError(`Slack job: ${v.getDotPath(r.issues[0]) ?? 'body'} is invalid`);
  return r.output;
}

/** The jobs queue client: one attempt of at most 0.5 s to connect and 1 s to answer. */
export const SLACK_JOBS_CLIENT_CONFIG = notifyClientConfig(
  { connectionTimeout: 500, requestTimeout: 1_000 },
  { maxAttempts: 1 },
);

export interface SlackJobQueue {
  send(job: SlackJob): Promise<void>;
}

export class SqsSlackJobQueue implements SlackJobQueue {
  private client: Promise<SQSClient> | undefined;

  constructor(
    private readonly queueUrl: string,
    client?: SQSClient,
  ) {
    if (client) this.client = Promise.resolve(client);
  }

  async send(job: SlackJob): Promise<void> {
    const { SQSClient: Client, SendMessageCommand } = await import('@aws-sdk/client-sqs');
    // One attempt, bounded (the timeouts fire: clients.ts), so the answer stays inside the 3 s Slack
    // allows even after the replay guard's DynamoDB call; a failure answers 500 and the user presses again.
    this.client ??= Promise.resolve(new Client(SLACK_JOBS_CLIENT_CONFIG));
    await (
      await this.client
    ).send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(job) }));
  }
}

export class MemorySlackJobQueue implements SlackJobQueue {
  readonly jobs: SlackJob[] = [];
  async send(job: SlackJob): Promise<void> {
    this.jobs.push(job);
  }
}
