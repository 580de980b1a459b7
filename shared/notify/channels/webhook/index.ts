/**
 * Generic webhook: every notification as signed JSON (./message.ts, ./signature.ts) to the receiver URL
 * of its team route or the default, with Slack's retries (../http.ts). The URL and the signing secret are
 * secrets (SSM SecureString or Secrets Manager); an unsigned delivery is never made (the policy refuses a
 * route without a signing secret). `X-Guardrail-Delivery` carries the notification's dedupe id, the same
 * for every retry, so a receiver can drop the duplicate that an unanswered-then-retried post can cause.
 */
import { webhookSpec, type WebhookSection } from '../../../plugins/channels/webhook';
import { defineChannel, type Target } from '../channel';
import { ChannelConfigError } from '../errors';
import { checkedWebhookUrl, sendHttp, type HttpOptions } from '../http';
import { deliverInRuns } from '../runs';
import { AwsSecretStore, type SecretStore } from '../secret-store';
import { routeKey, teamRoute } from '../team-route';
import { webhookBody } from './message';
import { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookSignature } from './signature';

export type { WebhookSection } from '../../../plugins/channels/webhook';

export interface WebhookDeps {
  readonly secrets?: SecretStore;
  readonly http?: HttpOptions;
  /** Tests only: accept http:// loopback receiver URLs (real ones are https). */
  readonly allowLoopback?: boolean;
}

export interface WebhookTarget extends Target {
  readonly urlParameter: string;
  readonly signingSecretParameter?: string;
}

export const webhookChannel = defineChannel<WebhookSection, WebhookDeps, WebhookTarget>({
  ...webhookSpec,
  idempotent: false,
  targets(finding, section) {
    const r = teamRoute(finding, section);
    const url = r?.route?.urlParameter ?? (r ? section.urlParameter : undefined);
    const signing = r?.route?.signingSecretParameter ?? section.signingSecretParameter;
    return r && url
      ? [
          {
            key: routeKey('webhook', r.team),
            channel: 'webhook',
            urlParameter: url,
            ...(signing ? { signingSecretParameter: signing } : {}),
          },
        ]
      : [];
  },
  open(deps) {
    const secrets = deps?.secrets ?? new AwsSecretStore();
    return {
      knownSecrets: () => secrets.known(),
      async deliver(items, ctx) {
        await deliverInRuns(items, ctx, {
          service: 'Webhook receiver',
          destination: (t) => t.urlParameter,
          secrets: () => secrets.known(),
          onRejected: (i, f) => {
            if (f.status === 401 || f.status === 403 || f.status === 404) {
              secrets.evict(i.target.urlParameter);
              if (i.target.signingSecretParameter) secrets.evict(i.target.signingSecretParameter);
            }
          },
          async send({ n, target }) {
            if (!target.signingSecretParameter)
              throw new ChannelConfigError('webhook route has no signingSecretParameter: not sent unsigned');
            const [rawUrl, secret] = await Promise.all([
              secrets.get(target.urlParameter),
              secrets.get(target.signingSecretParameter),
            ]);
            const url = checkedWebhookUrl(rawUrl, target.urlParameter, deps?.allowLoopback);
            const body = JSON.stringify(webhookBody(n));
            const timestamp = Math.floor(ctx.now() / 1000);
            await sendHttp(
              {
                service: 'Webhook receiver',
                url,
                headers: {
                  'content-type': 'application/json',
                  'user-agent': 'ecs-guardrail',
                  [TIMESTAMP_HEADER]: String(timestamp),
                  [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
                  [DELIVERY_HEADER]: n.dedupeId.replace(/[^\x21-\x7e]/g, '?').slice(0, 256),
                },
                body,
              },
              {
                ...deps?.http,
                ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}),
                now: ctx.now,
              },
            );
          },
        });
      },
    };
  },
});
