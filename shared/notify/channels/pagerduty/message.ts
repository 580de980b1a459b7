/**
 * A notification as a PagerDuty Events API v2 event. `dedup_key` is the finding id (hashed when over
 * PagerDuty's 255 characters), so an opened finding and its reminders are one alert (a reminder
 * re-triggers it: PagerDuty deduplicates into the open alert, or opens a new one when someone resolved
 * it by hand while the finding is still open) and the resolved message resolves exactly that alert.
 * Texts are plain strings (PagerDuty renders no markup in `summary` or `custom_details`); they are made
 * one line and bounded (summary: 1024 characters, PagerDuty's limit).
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../../../model/finding';
import type { Notification } from '../../types';
import { messageFacts, plain } from '../facts';

export const PAGERDUTY_SEVERITY: Record<Severity, 'critical' | 'error' | 'warning' | 'info'> = {
  critical: 'critical',
  high: 'error',
  medium: 'warning',
  low: 'info',
  info: 'info',
};

export function dedupKey(findingId: string): string {
  return findingId.length <= 255
    ? findingId
    : `sha256:${createHash('sha256').update(findingId).digest('hex')}`;
}

export interface PagerDutyEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger' | 'resolve';
  readonly dedup_key: string;
  readonly payload?: Record<string, unknown>;
  readonly client?: string;
  readonly links?: readonly { href: string; text: string }[];
}

export function pagerDutyEvent(n: Notification, routingKey: string): PagerDutyEvent {
  const f = n.finding;
  const key = dedupKey(f.findingId);
  if (n.kind === 'resolved') return { routing_key: routingKey, event_action: 'resolve', dedup_key: key };
  const m = messageFacts(n);
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: key,
    client: 'ECS Guardrail',
    payload: {
      summary: plain(
        `${m.headline} on ${f.resource.name ?? f.resource.arn} in ${f.account}/${f.region}`,
        1024,
      ),
      source: plain(f.resource.arn, 255),
      severity: PAGERDUTY_SEVERITY[f.severity],
      ...(!Number.isNaN(Date.parse(f.event.time))
        ? { timestamp: new Date(Date.parse(f.event.time)).toISOString() }
        : {}),
      component: plain(f.resource.type, 255),
      group: plain(f.account, 64),
      class: plain(f.ruleId, 255),
      custom_details: {
        rule: plain(f.ruleId, 255),
        lead: m.lead,
        evidence: m.evidence,
        ...Object.fromEntries(m.fields.map(([k, v]) => [k.toLowerCase().replace(/ /g, '_'), v])),
        ...(m.advice ? { advice: m.advice } : {}),
        finding_id: plain(f.findingId, 500),
        event: m.footer,
        ...(n.kind === 'reminder' ? { reminder: true } : {}),
      },
    },
    ...(m.consoleUrl ? { links: [{ href: m.consoleUrl, text: 'Open in AWS console' }] } : {}),
  };
}
