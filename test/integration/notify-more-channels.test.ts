/**
 * PagerDuty, Jira, Microsoft Teams, email and the webhook against real components: their secrets in SSM
 * SecureString parameters and a Secrets Manager secret in moto_server (read by the real SDK clients), the
 * delivery ledger and the Jira issue refs in a moto DynamoDB table, SES v2 SendEmail in moto (the sent
 * message read back from moto's data endpoint), and the loopback fakes of the HTTP services. One
 * notification's whole lifecycle goes through every channel once; a second notifier (a new container)
 * delivers nothing twice and finds the Jira issue from the table.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbIssueRefStore } from '../../shared/notify/channels/jira/dynamodb-issue-refs';
import { AwsSecretStore } from '../../shared/notify/channels/secret-store';
import { DynamoDbDeliveryLedger } from '../../shared/notify/ledger';
import { Notifier } from '../../shared/notify/notifier';
import { parsePolicy } from '../../shared/policy/load';
import { createStateTable } from '../../shared/store/state-table';
import { fakeJira, startFakeHttp, type FakeHttp, type FakeJira } from '../helpers/fake-http';
import { motoClientConfig, startMoto, type Moto } from '../helpers/moto';
import { finding, notification, recordingLogger } from '../unit/notify/fixtures';

const TABLE = 'guardrail-state';
const FAST = { sleep: async () => undefined, baseBackoffMs: 1, timeoutMs: 2000 };

let moto: Moto;
let http: FakeHttp;
let jira: FakeJira;
let documents: DynamoDBDocumentClient;
let jiraSecretArn: string;

interface SentEmail {
  body: string;
  subject: string;
  source: string;
  destinations: { ToAddresses: string[] };
}

async function sentEmails(): Promise<SentEmail[]> {
  const data = (await (await fetch(`${moto.endpoint}/moto-api/data.json`)).json()) as {
    ses?: { Message?: SentEmail[] };
  };
  return data.ses?.Message ?? [];
}

beforeAll(async () => {
  moto = await startMoto();
  http = await startFakeHttp();
  jira = fakeJira(http);
  const ssm = new SSMClient(motoClientConfig(moto));
  const put = (Name: string, Value: string, Type: 'SecureString' | 'String' = 'SecureString') =>
    ssm.send(new PutParameterCommand({ Name, Value, Type }));
  await put('/guardrail/pagerduty/default', 'PDROUTINGKEY000000000000000000000');
  await put('/guardrail/teams/default', http.at('/teams/SECRETSIG'));
  await put('/guardrail/webhook/default', http.at('/hooks/RECEIVERSECRETPATH'));
  await put('/guardrail/webhook/signing', 'whsec_INTEGRATIONSIGNING');
  await put('/guardrail/webhook/plain', 'https://hooks.example.com/x', 'String');
  const sm = new SecretsManagerClient(motoClientConfig(moto));
  ({ ARN: jiraSecretArn } = (await sm.send(
    new CreateSecretCommand({
      Name: 'guardrail/jira',
      SecretString: JSON.stringify({ email: 'bot@example.com', apiToken: 'ATATT3xINTEGRATIONTOKEN' }),
    }),
  )) as { ARN: string });
  await new SESv2Client(motoClientConfig(moto)).send(
    new CreateEmailIdentityCommand({ EmailIdentity: 'guardrail@example.com' }),
  );
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  documents = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  await createStateTable(ddb, TABLE);
});

afterAll(async () => {
  await http?.close();
  await moto?.stop();
});

function notifier(): Notifier {
  const policy = parsePolicy(`
notifications:
  pagerduty: { routingKeyParameter: /guardrail/pagerduty/default, minSeverity: low }
  jira:
    site: https://example.atlassian.net
    credentialsParameter: ${jiraSecretArn}
    projectKey: SEC
  microsoftTeams: { webhookParameter: /guardrail/teams/default }
  email: { from: guardrail@example.com, to: [secops@example.com] }
  webhook: { urlParameter: /guardrail/webhook/default, signingSecretParameter: /guardrail/webhook/signing }
`);
  const secrets = new AwsSecretStore({
    ssm: new SSMClient(motoClientConfig(moto)),
    secretsManager: new SecretsManagerClient(motoClientConfig(moto)),
  });
  return new Notifier({
    policy,
    ledger: new DynamoDbDeliveryLedger({ client: documents, tableName: TABLE }),
    logger: recordingLogger().logger,
    pagerduty: { secrets, http: FAST, endpoint: http.at('/v2/enqueue') },
    jira: { secrets, http: FAST, endpoint: http.origin, refs: new DynamoDbIssueRefStore(documents, TABLE) },
    microsoftTeams: { secrets, http: FAST, allowLoopback: true },
    webhook: { secrets, http: FAST, allowLoopback: true },
    email: { client: new SESv2Client(motoClientConfig(moto)) },
  });
}

const ALL = [
  'pagerduty:default',
  'jira:default',
  'microsoftTeams:default',
  'email:default',
  'webhook:default',
];

describe('the new channels against moto and loopback fakes', () => {
  it('delivers opened, reminder and resolved once per channel, across two notifier containers', async () => {
    const f = finding({ severity: 'critical', resource: { ...finding().resource, name: '<b>web</b>' } });
    const opened = notification(f, 'opened', 'o');
    const [r1] = await notifier().deliver([opened]);
    expect(r1!.failures).toEqual([]);
    expect(r1!.delivered).toEqual(ALL);
    // A redelivered copy in a new container: nothing is sent again.
    const [again] = await notifier().deliver([opened]);
    expect(again!.delivered).toEqual([]);
    expect(again!.alreadyDelivered).toEqual(ALL);

    const [r2] = await notifier().deliver([{ ...notification(f, 'reminder', 'r'), count: 2 }]);
    expect(r2!.delivered).toEqual(ALL);
    const [r3] = await notifier().deliver([
      { ...notification(f, 'resolved', 'z'), resolvedReason: 'remediation succeeded' },
    ]);
    expect(r3!.delivered).toEqual(ALL);

    const pd = http
      .accepted()
      .filter((r) => r.path === '/v2/enqueue')
      .map((r) => r.json as { event_action: string; routing_key: string });
    expect(pd.map((e) => e.event_action)).toEqual(['trigger', 'trigger', 'resolve']);
    expect(pd[0]!.routing_key).toBe('PDROUTINGKEY000000000000000000000');
    expect([...jira.issues.keys()]).toEqual(['SEC-1']);
    expect(jira.issues.get('SEC-1')!.status).toBe('Done');
    expect(jira.issues.get('SEC-1')!.comments).toHaveLength(2);
    expect(http.accepted().filter((r) => r.path === '/teams/SECRETSIG')).toHaveLength(3);
    expect(http.accepted().filter((r) => r.path === '/hooks/RECEIVERSECRETPATH')).toHaveLength(3);

    const mails = await sentEmails();
    expect(mails).toHaveLength(3);
    expect(mails[0]).toMatchObject({
      source: 'guardrail@example.com',
      destinations: { ToAddresses: ['secops@example.com'] },
    });
    expect(mails.map((m) => m.subject)).toEqual([
      expect.stringMatching(/^\[ECS Guardrail\] CRITICAL: /),
      expect.stringMatching(/^\[ECS Guardrail\] Still open: CRITICAL: /),
      expect.stringMatching(/^\[ECS Guardrail\] Resolved: /),
    ]);
    expect(mails[0]!.body).toContain('&lt;b&gt;web&lt;/b&gt;');
    expect(mails[0]!.body).not.toContain('<b>web</b>');
  });

  it('a plain String parameter is refused as a secret, naming the parameter only', async () => {
    const store = new AwsSecretStore({ ssm: new SSMClient(motoClientConfig(moto)) });
    await expect(store.get('/guardrail/webhook/plain')).rejects.toThrow(
      'parameter /guardrail/webhook/plain must be a SecureString (it is String)',
    );
    await expect(store.get('/guardrail/webhook/missing')).rejects.toMatchObject({
      name: 'ChannelConfigError',
      message: 'cannot read secret /guardrail/webhook/missing (ParameterNotFound)',
      retryable: false,
    });
  });
});
