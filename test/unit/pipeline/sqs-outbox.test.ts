import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { SqsOutbox } from '../../../shared/pipeline/sqs-outbox';

const sqs = mockClient(SQSClient);
afterEach(() => sqs.reset());

const finding = {
  findingId: 'f1',
  ruleId: 'td-privileged',
  severity: 'critical',
  title: 'Privileged container',
  resource: {
    type: 'AWS::ECS::TaskDefinition',
    arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/x:1',
  },
  account: '111122223333',
  region: 'us-west-2',
  evidence: [{ path: 'containerDefinitions[0].privileged', message: 'privileged: true', container: 'app' }],
  event: {
    id: 'e1',
    source: 'aws.ecs',
    detailType: 'AWS API Call via CloudTrail',
    time: '2026-03-09T12:00:00Z',
  },
  controls: { securityHub: 'ECS.4' },
  mode: 'notify',
} satisfies Finding;

describe('SqsOutbox', () => {
  it('sends the finding JSON with its id, rule and severity as attributes (standard queue)', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const url = 'https://sqs.us-west-2.amazonaws.com/111122223333/guardrail-outbox';
    await new SqsOutbox({ queueUrl: url }).send(finding, { dedupeKey: 'cloudtrail|e1' });
    const calls = sqs.commandCalls(SendMessageCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]!.args[0].input;
    expect(input.QueueUrl).toBe(url);
    expect(JSON.parse(input.MessageBody!)).toEqual(finding);
    expect(input.MessageAttributes).toEqual({
      findingId: { DataType: 'String', StringValue: 'f1' },
      ruleId: { DataType: 'String', StringValue: 'td-privileged' },
      severity: { DataType: 'String', StringValue: 'critical' },
    });
    expect(input.MessageGroupId).toBeUndefined();
    expect(input.MessageDeduplicationId).toBeUndefined();
  });

  it('FIFO queue: grouped by finding, deduplicated by (finding, event)', async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: 'm1' });
    const outbox = new SqsOutbox({ queueUrl: 'https://sqs.us-west-2.amazonaws.com/1/outbox.fifo' });
    await outbox.send(finding, { dedupeKey: 'a' });
    await outbox.send(finding, { dedupeKey: 'a' });
    await outbox.send(finding, { dedupeKey: 'b' });
    const [x, y, z] = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(x!.MessageGroupId).toBe('f1');
    expect(x!.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(y!.MessageDeduplicationId).toBe(x!.MessageDeduplicationId);
    expect(z!.MessageDeduplicationId).not.toBe(x!.MessageDeduplicationId);
  });

  it('a send error reaches the caller (the event is retried)', async () => {
    sqs.on(SendMessageCommand).rejects(new Error('AWS.SimpleQueueService.NonExistentQueue'));
    await expect(
      new SqsOutbox({ queueUrl: 'https://sqs.us-west-2.amazonaws.com/1/q' }).send(finding, {
        dedupeKey: 'k',
      }),
    ).rejects.toThrow('NonExistentQueue');
  });
});
