/**
 * Microsoft Teams through a Workflows webhook ("Post to a channel when a webhook request is received"):
 * an Adaptive Card (./message.ts) per notification, routed by team tag like Slack. The webhook URL is a
 * secret (it carries its signature): SSM SecureString or Secrets Manager (../secret-store.ts), never in
 * the policy, an error or a log. Posts have no idempotency key: an unanswered one holds the ledger claim.
 */
import { microsoftTeamsSpec, type MicrosoftTeamsSection } from '../../../plugins/channels/microsoft-teams';
import { defineChannel, type Target } from '../channel';
import { checkedWebhookUrl, sendHttp, type HttpOptions } from '../http';
import { deliverInRuns } from '../runs';
import { AwsSecretStore, type SecretStore } from '../secret-store';
import { routeKey, teamRoute } from '../team-route';
import { teamsMessage } from './message';

export type { MicrosoftTeamsSection } from '../../../plugins/channels/microsoft-teams';

export interface MicrosoftTeamsDeps {
  readonly secrets?: SecretStore;
  readonly http?: HttpOptions;
  /** Tests only: accept http:// loopback webhook URLs (real ones are https). */
  readonly allowLoopback?: boolean;
}

export interface MicrosoftTeamsTarget extends Target {
  readonly webhookParameter: string;
}

export const microsoftTeamsChannel = defineChannel<
  MicrosoftTeamsSection,
  MicrosoftTeamsDeps,
  MicrosoftTeamsTarget
>({
  ...microsoftTeamsSpec,
  idempotent: false,
  targets(finding, section) {
    const r = teamRoute(finding, section);
    const parameter = r?.route?.webhookParameter ?? (r ? section.webhookParameter : undefined);
    return r && parameter
      ? [{ key: routeKey('microsoftTeams', r.team), channel: 'microsoftTeams', webhookParameter: parameter }]
      : [];
  },
  open(deps) {
    const secrets = deps?.secrets ?? new AwsSecretStore();
    return {
      knownSecrets: () => secrets.known(),
      async deliver(items, ctx) {
        await deliverInRuns(items, ctx, {
          service: 'Microsoft Teams',
          destination: (t) => t.webhookParameter,
          secrets: () => secrets.known(),
          onRejected: (i, f) => {
            if (f.status !== undefined) secrets.evict(i.target.webhookParameter);
          },
          async send({ n, target }) {
            const url = checkedWebhookUrl(
              await secrets.get(target.webhookParameter),
              target.webhookParameter,
              deps?.allowLoopback,
            );
            await sendHttp(
              {
                service: 'Microsoft Teams',
                url,
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(teamsMessage(n)),
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
