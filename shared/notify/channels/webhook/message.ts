/**
 * The webhook's JSON body: the notification as data (`finding` is the finding as the engine produced
 * it, the same object SNS publishes). JSON.stringify escapes what JSON needs; the receiver must treat
 * every string as untrusted text (it comes from resources and events).
 */
import type { Notification } from '../../types';

export interface WebhookBody {
  readonly version: 1;
  readonly source: 'ecs-guardrail';
  readonly kind: Notification['kind'];
  readonly dedupeId: string;
  readonly finding: Notification['finding'];
  readonly firstSeen?: string;
  readonly count?: number;
  readonly resolvedReason?: string;
}

export function webhookBody(n: Notification): WebhookBody {
  return {
    version: 1,
    source: 'ecs-guardrail',
    kind: n.kind,
    dedupeId: n.dedupeId,
    finding: n.finding,
    ...(n.firstSeen !== undefined ? { firstSeen: n.firstSeen } : {}),
    ...(n.count !== undefined ? { count: n.count } : {}),
    ...(n.resolvedReason !== undefined ? { resolvedReason: n.resolvedReason } : {}),
  };
}
