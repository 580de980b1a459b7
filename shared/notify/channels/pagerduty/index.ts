/**
 * PagerDuty (Events API v2): a finding at or above `notifications.pagerduty.minSeverity` (default high)
 * triggers an alert on the integration key of its team route (tag `teamTag`) or the default key; the
 * resolved message resolves it, reminders re-trigger it (./message.ts). The integration key is a secret
 * (SSM SecureString or Secrets Manager, ../secret-store.ts): it travels in the request body only, never
 * in an error or a log. Events are idempotent by `dedup_key`, so an unanswered request is simply tried
 * again (`idempotent: true`).
 */
import { pagerDutySpec, type PagerDutySection } from '../../../plugins/channels/pagerduty';
import { defineChannel, type Target } from '../channel';
import { loopbackEndpoint, sendHttp, type HttpOptions } from '../http';
import { deliverInRuns } from '../runs';
import { AwsSecretStore, type SecretStore } from '../secret-store';
import { routeKey, teamRoute } from '../team-route';
import { pagerDutyEvent } from './message';

export type { PagerDutySection } from '../../../plugins/channels/pagerduty';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export interface PagerDutyDeps {
  readonly secrets?: SecretStore;
  readonly http?: HttpOptions;
  /** Tests only: a loopback URL replacing the Events API endpoint. */
  readonly endpoint?: string;
}

export interface PagerDutyTarget extends Target {
  readonly routingKeyParameter: string;
}

export const pagerDutyChannel = defineChannel<PagerDutySection, PagerDutyDeps, PagerDutyTarget>({
  ...pagerDutySpec,
  idempotent: true,
  targets(finding, section) {
    const r = teamRoute(finding, section);
    const parameter = r?.route?.routingKeyParameter ?? (r ? section.routingKeyParameter : undefined);
    return r && parameter
      ? [{ key: routeKey('pagerduty', r.team), channel: 'pagerduty', routingKeyParameter: parameter }]
      : [];
  },
  open(deps) {
    const secrets = deps?.secrets ?? new AwsSecretStore();
    return {
      knownSecrets: () => secrets.known(),
      async deliver(items, ctx) {
        await deliverInRuns(items, ctx, {
          service: 'PagerDuty',
          destination: (t) => t.routingKeyParameter,
          secrets: () => secrets.known(),
          onRejected: (i, f) => {
            // 400 "invalid routing key" and the like: read the key again next time.
            if (f.status !== undefined) secrets.evict(i.target.routingKeyParameter);
          },
          async send({ n, target }) {
            const key = await secrets.get(target.routingKeyParameter);
            await sendHttp(
              {
                service: 'PagerDuty',
                url: loopbackEndpoint(deps?.endpoint, PAGERDUTY_EVENTS_URL),
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(pagerDutyEvent(n, key)),
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
