/**
 * The Outbox on SQS: one message per finding to notify, the body being the finding JSON. The SQS SDK is
 * loaded on the first send only: most events produce no notification.
 * A FIFO queue (URL ending in `.fifo`) gets MessageGroupId = findingId and a deduplication id derived from
 * (findingId, event key), so a retried send within SQS's 5-minute window is dropped by SQS itself.
 */
import { createHash } from 'node:crypto';
import type * as SqsSdk from '@aws-sdk/client-sqs';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Finding } from '../model/finding';
import type { Outbox, OutboxMeta } from './types';

export interface SqsOutboxOptions {
  readonly queueUrl: string;
  /** A client (tests); by default one is created on first use from the environment. */
  readonly client?: SQSClient;
}

export class SqsOutbox implements Outbox {
  private readonly queueUrl: string;
  private readonly fifo: boolean;
  private client: Promise<SQSClient> | undefined;
  private sdk: Promise<typeof SqsSdk> | undefined;

  constructor(options: SqsOutboxOptions) {
    this.queueUrl = options.queueUrl;
    this.fifo = options.queueUrl.endsWith('.fifo');
    if (options.client) this.client = Promise.resolve(options.client);
  }

  private loadSdk(): Promise<typeof SqsSdk> {
    this.sdk ??= import('@aws-sdk/client-sqs').catch((err: unknown) => {
      this.sdk = undefined;
      throw err;
    });
    return this.sdk;
  }

  async send(finding: Finding, meta: OutboxMeta): Promise<void> {
    const { SQSClient: Client, SendMessageCommand } = await this.loadSdk();
    this.client ??= Promise.resolve(new Client({}));
    const client = await this.client;
    await client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(finding),
        MessageAttributes: {
          findingId: { DataType: 'String', StringValue: finding.findingId },
          ruleId: { DataType: 'String', StringValue: finding.ruleId },
          severity: { DataType: 'String', StringValue: finding.severity },
        },
        ...(this.fifo
          ? {
              MessageGroupId: finding.findingId,
              MessageDeduplicationId: createHash('sha256')
                .update(finding.findingId)
                .update('\n')
                .update(meta.dedupeKey)
                .digest('hex')
                .slice(0, 64),
            }
          : {}),
      }),
    );
  }
}
