/**
 * What the tests of the PagerDuty, Jira, Microsoft Teams, email and webhook channels share: a policy
 * routing to all of them, their secrets (values that must never leak), a notifier over an in-memory
 * ledger and the loopback fake servers (test/helpers/fake-http.ts), and a finding full of hostile text.
 */
import type { Finding } from '../../../../shared/model/finding';
import { MemoryDeliveryLedger } from '../../../../shared/notify/ledger';
import { Notifier, type NotifierDeps } from '../../../../shared/notify/notifier';
import { StaticSecretStore } from '../../../../shared/notify/channels/secret-store';
import { MemoryIssueRefStore } from '../../../../shared/notify/channels/jira/issue-refs';
import { parsePolicy } from '../../../../shared/policy/load';
import type { Policy } from '../../../../shared/policy/types';
import type { FakeHttp } from '../../../helpers/fake-http';
import { finding, recordingLogger } from '../fixtures';

export const SECRET = {
  pdDefault: 'R0UTINGKEYDEFAULT0000000000000000',
  pdPayments: 'R0UTINGKEYPAYMENTS00000000000000',
  jira: JSON.stringify({ email: 'bot@example.com', apiToken: 'ATATT3xSECRETJIRATOKEN123' }),
  jiraToken: 'ATATT3xSECRETJIRATOKEN123',
  signing: 'whsec_SIGNINGSECRET_0123456789',
} as const;

/** Everything that must never appear in an error, a log or a DLQ body. */
export function secretValues(http: FakeHttp): string[] {
  return [
    SECRET.pdDefault,
    SECRET.pdPayments,
    SECRET.jiraToken,
    SECRET.signing,
    Buffer.from(`bot@example.com:${SECRET.jiraToken}`).toString('base64'),
    http.at('/teams/SECRETSIG'),
    'SECRETSIG',
    'RECEIVERSECRETPATH',
  ];
}

export const CHANNEL_POLICY = parsePolicy(`
notifications:
  pagerduty:
    minSeverity: low
    routingKeyParameter: /guardrail/pagerduty/default
    teams:
      payments: { routingKeyParameter: /guardrail/pagerduty/payments, minSeverity: critical }
  jira:
    site: https://example.atlassian.net
    credentialsParameter: arn:aws:secretsmanager:us-east-1:123456789012:secret:guardrail/jira-AbCdEf
    projectKey: SEC
    minSeverity: low
    teams:
      payments: { projectKey: PAY }
  microsoftTeams:
    webhookParameter: /guardrail/teams/default
  email:
    from: guardrail@example.com
    to: [secops@example.com]
    teams:
      payments: { to: [payments@example.com, oncall@example.com] }
  webhook:
    urlParameter: /guardrail/webhook/default
    signingSecretParameter: /guardrail/webhook/signing
`);

export function channelSecrets(http: FakeHttp): StaticSecretStore {
  return new StaticSecretStore({
    '/guardrail/pagerduty/default': SECRET.pdDefault,
    '/guardrail/pagerduty/payments': SECRET.pdPayments,
    'arn:aws:secretsmanager:us-east-1:123456789012:secret:guardrail/jira-AbCdEf': SECRET.jira,
    '/guardrail/teams/default': http.at('/teams/SECRETSIG'),
    '/guardrail/webhook/default': http.at('/hooks/RECEIVERSECRETPATH'),
    '/guardrail/webhook/signing': SECRET.signing,
  });
}

export const FAST = { sleep: async () => undefined, baseBackoffMs: 1, maxInlineWaitMs: 1000, timeoutMs: 300 };

/** A notifier with only the named channel's dependencies (the others route nothing or have no deps). */
export function channelNotifier(
  http: FakeHttp,
  only: readonly string[],
  over: Partial<NotifierDeps> = {},
  ledger = new MemoryDeliveryLedger(),
): {
  notifier: Notifier;
  ledger: MemoryDeliveryLedger;
  log: ReturnType<typeof recordingLogger>;
  refs: MemoryIssueRefStore;
} {
  const secrets = channelSecrets(http);
  const log = recordingLogger();
  const refs = new MemoryIssueRefStore();
  const notifier = new Notifier({
    policy: onlyChannels(only),
    ledger,
    logger: log.logger,
    pagerduty: { secrets, http: FAST, endpoint: http.at('/v2/enqueue') },
    jira: { secrets, http: FAST, endpoint: http.origin, refs },
    microsoftTeams: { secrets, http: FAST, allowLoopback: true },
    webhook: { secrets, http: FAST, allowLoopback: true },
    ...over,
  });
  return { notifier, ledger, log, refs };
}

/** CHANNEL_POLICY with every channel but `only` switched off. */
export function onlyChannels(only: readonly string[]): Policy {
  const np = CHANNEL_POLICY.notifications!;
  const sections = Object.fromEntries(
    Object.entries(np).map(([k, v]) =>
      v && typeof v === 'object' && 'enabled' in v ? [k, { ...v, enabled: only.includes(k) }] : [k, v],
    ),
  );
  return { ...CHANNEL_POLICY, notifications: sections as unknown as typeof np };
}

/** Text built to break Markdown, HTML, Adaptive Cards, Jira wiki markup and terminals. */
export const HOSTILE = {
  name: '<img src=x onerror=alert(1)>[click](https://evil.example) **bold** {{DATE(2017-02-14T06:00:00Z)}}',
  evidence:
    'image `x` <script>alert("e")</script> [~accountid:123] {noformat} !http://evil.example/i.png! \u202eevil\u001b[31m\r\nForged: line',
  advice: '<a href="javascript:alert(1)">fix</a> & \' " - item\n1. list',
};

export function hostileFinding(over: Partial<Finding> = {}): Finding {
  return finding({
    title: `Privileged <b>container</b> **now** [x](https://evil.example)`,
    resource: {
      type: 'AWS::ECS::TaskDefinition',
      arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
      name: HOSTILE.name,
    },
    evidence: [{ path: 'containerDefinitions[0].privileged', message: HOSTILE.evidence }],
    advice: HOSTILE.advice,
    ...over,
  });
}
