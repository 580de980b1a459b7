/**
 * Secrets never leak: every HTTP channel fails on its last receive with an answer that quotes the
 * secret back (a hostile or careless service), and neither the failures, nor the log lines, nor the
 * dead-lettered message (body and attributes) contain a routing key, an API token, its Basic header, a
 * webhook URL or a signing secret. Secrets in the policy are refused at load.
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OutboxConsumer } from '../../../../shared/notify/notifier';
import { parsePolicy } from '../../../../shared/policy/load';
import { startFakeHttp, type FakeHttp } from '../../../helpers/fake-http';
import { finding, record } from '../fixtures';
import { channelNotifier, SECRET, secretValues } from './setup';

const sqs = mockClient(SQSClient);

describe('channel secrets', () => {
  let http: FakeHttp;
  beforeAll(async () => {
    http = await startFakeHttp();
  });
  afterAll(async () => http.close());

  it('a failing channel leaks no secret into failures, logs or the DLQ message', async () => {
    sqs.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: 'dlq-1' });
    // Every service answers 500 quoting every secret and the request it got.
    http.route((r) => ({
      status: 500,
      body: {
        echo: r.raw,
        headers: r.headers,
        secrets: [SECRET.pdDefault, SECRET.jiraToken, SECRET.signing],
      },
    }));
    const { notifier, log } = channelNotifier(http, ['pagerduty', 'jira', 'microsoftTeams', 'webhook']);
    const consumer = new OutboxConsumer({
      notifier,
      queueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/outbox',
      dlqUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/outbox-dlq',
      maxReceiveCount: 1,
      sqs: new SQSClient({ region: 'us-east-1' }),
      logger: log.logger,
    });
    const res = await consumer.handle([record(finding())]);
    expect(res.batchItemFailures).toEqual([]);
    const dlq = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(dlq).toHaveLength(1);
    const failure = JSON.parse(dlq[0]!.MessageAttributes!['guardrail.failure']!.StringValue!) as {
      channels: string[];
    };
    expect(failure.channels.sort()).toEqual([
      'jira:default',
      'microsoftTeams:default',
      'pagerduty:default',
      'webhook:default',
    ]);
    // Every service was really called with its secret (so there was something to leak).
    expect(http.requests.some((r) => r.raw.includes(SECRET.pdDefault))).toBe(true);
    expect(http.requests.some((r) => r.path === '/teams/SECRETSIG')).toBe(true);
    const everything = JSON.stringify([dlq, log.lines]);
    for (const s of secretValues(http)) expect(everything).not.toContain(s);
    http.route(undefined);
  });

  it('the policy refuses secret values where a secret reference belongs', () => {
    for (const [section, key, value] of [
      ['pagerduty', 'routingKeyParameter', 'R0UTINGKEY 0000'],
      ['microsoftTeams', 'webhookParameter', 'https://prod.westus.logic.azure.com/workflows/x?sig=SECRET'],
      ['webhook', 'signingSecretParameter', 'whsec_not a name'],
      ['jira', 'credentialsParameter', '{"email":"a","apiToken":"b"}'],
    ] as const)
      expect(() =>
        parsePolicy(`notifications:\n  ${section}:\n    ${key}: ${JSON.stringify(value)}\n`),
      ).toThrow(/never hold the secret/);
    expect(() => parsePolicy('notifications:\n  jira:\n    site: https://evil.example.com\n')).toThrow(
      /must be https:\/\/<your-domain>\.atlassian\.net/,
    );
  });
});
