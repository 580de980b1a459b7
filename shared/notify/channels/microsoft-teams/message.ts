/**
 * A notification as a Microsoft Teams Workflows webhook message: one Adaptive Card (version 1.4). Every
 * text is a `TextRun` inside a `RichTextBlock`, which Adaptive Cards render without Markdown (unlike
 * `TextBlock` and `FactSet`, whose `**`, `_`, `[text](url)` and list markers would act): a resource
 * named `[click](https://evil)` shows as those characters. `{{` is broken up so no card host reads a
 * `{{DATE(...)}}` function in it, and every text is one line and bounded (./facts.ts), keeping the card
 * well under Teams' 28 KB message limit. The only link is the console URL built from a validated region
 * and ARN.
 */
import type { Notification } from '../../types';
import { messageFacts } from '../facts';

type Run = { type: 'TextRun'; text: string } & Record<string, unknown>;

/** Untrusted text for a TextRun: no Markdown applies there; only `{{` date/time functions remain. */
export function teamsText(s: string): string {
  return s.replace(/\{\{/g, '{\u200b{');
}

const run = (text: string, style: Record<string, unknown> = {}): Run => ({
  type: 'TextRun',
  text: teamsText(text),
  ...style,
});

const block = (inlines: Run[], extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'RichTextBlock',
  inlines,
  ...extra,
});

export function teamsMessage(n: Notification): Record<string, unknown> {
  const m = messageFacts(n);
  const color =
    n.kind === 'resolved'
      ? 'good'
      : n.finding.severity === 'critical' || n.finding.severity === 'high'
        ? 'attention'
        : 'warning';
  const body: Record<string, unknown>[] = [
    block([run(m.headline, { weight: 'bolder', size: 'medium', color })]),
    block([run(m.lead)], { spacing: 'small' }),
    ...m.evidence.slice(0, 10).map((e) => block([run(`• ${e.slice(0, 500)}`)], { spacing: 'none' })),
    ...m.fields.map(([k, v]) => block([run(`${k}: `, { weight: 'bolder' }), run(v)], { spacing: 'none' })),
    ...(m.advice ? [block([run('Advice: ', { weight: 'bolder' }), run(m.advice)])] : []),
    block([run(m.footer, { isSubtle: true, size: 'small' })]),
  ];
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'Full' },
          body,
          ...(m.consoleUrl
            ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in AWS console', url: m.consoleUrl }] }
            : {}),
        },
      },
    ],
  };
}
