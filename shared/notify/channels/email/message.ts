/**
 * A notification as an email: a subject, a plain-text part and an HTML part with the same facts
 * (../facts.ts). Every text in the HTML is escaped (`& < > " '`), so a resource named
 * `<img src=x onerror=...>` or `<a href=...>` is shown, never rendered; the only link is the console URL
 * built from a validated region and ARN (escaped too). The subject is one line (no header can be added
 * through it) of at most 200 characters.
 */
import type { Notification } from '../../types';
import { factsAsText, messageFacts, plain } from '../facts';

export function htmlEscape(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export function emailMessage(n: Notification): EmailMessage {
  const m = messageFacts(n);
  const f = n.finding;
  const subject = plain(`[ECS Guardrail] ${m.headline} (${f.resource.name ?? f.resource.arn})`, 200);
  const e = htmlEscape;
  const colour =
    n.kind === 'resolved'
      ? '#2e7d32'
      : f.severity === 'critical' || f.severity === 'high'
        ? '#c62828'
        : '#ef6c00';
  const html = [
    '<!DOCTYPE html>',
    '<html><head><meta charset="utf-8"><title>ECS Guardrail</title></head>',
    '<body style="font-family:sans-serif">',
    `<h2 style="color:${colour}">${e(m.headline)}</h2>`,
    `<p>${e(m.lead)}</p>`,
    m.evidence.length ? `<ul>${m.evidence.map((x) => `<li>${e(x)}</li>`).join('')}</ul>` : '',
    '<table cellpadding="4">',
    ...m.fields.map(([k, v]) => `<tr><th align="left">${e(k)}</th><td>${e(v)}</td></tr>`),
    '</table>',
    m.advice ? `<p><b>Advice:</b> ${e(m.advice)}</p>` : '',
    m.consoleUrl ? `<p><a href="${e(m.consoleUrl)}">Open in AWS console</a></p>` : '',
    `<p style="color:#666;font-size:small">${e(m.footer)}</p>`,
    '</body></html>',
  ]
    .filter(Boolean)
    .join('\n');
  return { subject, text: factsAsText(m), html };
}
