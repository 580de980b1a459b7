/**
 * Email through Amazon SES (API v2 SendEmail): a finding at or above `notifications.email.minSeverity`
 * (default medium) goes to its team route's recipients (tag `teamTag`) or the default `to`, from `from`
 * (an SES-verified identity). No sender or no recipients: no email. One attempt per send (SES has no
 * idempotency key: an unanswered send holds the ledger claim instead of being retried blindly); the
 * outbox retries. No secret: SES is called with the notifier role (ses:SendEmail).
 */
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { emailSpec, type EmailSection } from '../../../plugins/channels/email';
import { callBudgetMs, notifyClientConfig, NOTIFY_HTTP_TIMEOUTS } from '../../clients';
import { defineChannel, type Target } from '../channel';
import { ChannelDeliveryError } from '../errors';
import { deliverInRuns } from '../runs';
import { routeKey, teamRoute } from '../team-route';
import { emailMessage } from './message';

export type { EmailSection } from '../../../plugins/channels/email';

export interface EmailDeps {
  /** Created on first use when not given (region and endpoint from the environment). */
  readonly client?: SESv2Client;
}

export interface EmailTarget extends Target {
  readonly from: string;
  readonly to: readonly string[];
  readonly configurationSet?: string;
}

/**
 * SES answers that only a configuration change fixes (an unverified sender or domain, a bad request, the
 * account not allowed to send): not retried. The shared AWS classifier does not know these SES names.
 */
const SES_PERMANENT = new Set([
  'MessageRejected',
  'MailFromDomainNotVerifiedException',
  'BadRequestException',
  'AccountSuspendedException',
  'NotFoundException',
]);

async function sendOrClassify<T>(send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (err) {
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string' && SES_PERMANENT.has(name))
      throw new ChannelDeliveryError(
        `SES refused the email (${name})`,
        false,
        (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode,
      );
    throw err;
  }
}

export function createSesClient(): Promise<SESv2Client> {
  return import('@aws-sdk/client-sesv2').then(
    (m) => new m.SESv2Client(notifyClientConfig(NOTIFY_HTTP_TIMEOUTS, { maxAttempts: 1 })),
  );
}

export const emailChannel = defineChannel<EmailSection, EmailDeps, EmailTarget>({
  ...emailSpec,
  idempotent: false,
  targets(finding, section) {
    const r = teamRoute(finding, section);
    const to = r?.route?.to ?? section.to;
    return r && section.from && to.length
      ? [
          {
            key: routeKey('email', r.team),
            channel: 'email',
            from: section.from,
            to,
            ...(section.configurationSet ? { configurationSet: section.configurationSet } : {}),
          },
        ]
      : [];
  },
  open(deps) {
    let client: Promise<SESv2Client> | undefined = deps?.client ? Promise.resolve(deps.client) : undefined;
    return {
      async deliver(items, ctx) {
        const deadline = ctx.deadline ?? Number.POSITIVE_INFINITY;
        await deliverInRuns(items, ctx, {
          service: 'Amazon SES',
          destination: (t) => t.key,
          secrets: () => [],
          async send({ n, target }) {
            if (ctx.now() + callBudgetMs() > deadline)
              throw new ChannelDeliveryError(
                'not sent: no time left for an SES call',
                true,
                undefined,
                undefined,
                false,
                false,
              );
            client ??= createSesClient();
            const { SendEmailCommand } = await import('@aws-sdk/client-sesv2');
            const m = emailMessage(n);
            const ses = await client;
            await sendOrClassify(() =>
              ses.send(
                new SendEmailCommand({
                  FromEmailAddress: target.from,
                  Destination: { ToAddresses: [...target.to] },
                  Content: {
                    Simple: {
                      Subject: { Data: m.subject, Charset: 'UTF-8' },
                      Body: {
                        Text: { Data: m.text, Charset: 'UTF-8' },
                        Html: { Data: m.html, Charset: 'UTF-8' },
                      },
                    },
                  },
                  ...(target.configurationSet ? { ConfigurationSetName: target.configurationSet } : {}),
                  EmailTags: [
                    { Name: 'guardrail-kind', Value: n.kind },
                    { Name: 'guardrail-severity', Value: n.finding.severity },
                  ],
                }),
              ),
            );
          },
        });
      },
    };
  },
});
