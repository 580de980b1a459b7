/**
 * A notification in Jira Cloud: the issue's summary (one line, at most 255 characters, Jira's limit) and
 * description, and the comments of reminders and the resolution, all in Atlassian Document Format (REST
 * API v3). ADF text nodes are plain text: Jira applies no wiki markup to them, so `{noformat}`, `[link|url]`,
 * `*bold*`, `!image!` or `[~accountid:...]` mentions in a resource name stay literal characters. The only
 * link is the console URL (a `link` mark on our own text), built from a validated region and ARN.
 */
import { createHash } from 'node:crypto';
import type { Notification } from '../../types';
import { messageFacts, plain, type MessageFacts } from '../facts';

type Node = Record<string, unknown>;

const text = (t: string, marks?: Node[]): Node => ({ type: 'text', text: t, ...(marks ? { marks } : {}) });
const paragraph = (...content: Node[]): Node => ({
  type: 'paragraph',
  content: content.filter((c) => c.text !== ''),
});

/** The label that finds a finding's issue again (Jira labels: no spaces, at most 255 characters). */
export function findingLabel(findingId: string): string {
  return `guardrail-${createHash('sha256').update(findingId).digest('hex').slice(0, 32)}`;
}

function body(m: MessageFacts, withHeadline: boolean): Node {
  const content: Node[] = [];
  if (withHeadline) content.push(paragraph(text(m.headline, [{ type: 'strong' }])));
  content.push(paragraph(text(m.lead)));
  if (m.evidence.length)
    content.push({
      type: 'bulletList',
      content: m.evidence.map((e) => ({ type: 'listItem', content: [paragraph(text(e))] })),
    });
  for (const [k, v] of m.fields) content.push(paragraph(text(`${k}: `, [{ type: 'strong' }]), text(v)));
  if (m.advice) content.push(paragraph(text('Advice: ', [{ type: 'strong' }]), text(m.advice)));
  if (m.consoleUrl)
    content.push(paragraph(text('Open in AWS console', [{ type: 'link', attrs: { href: m.consoleUrl } }])));
  content.push(paragraph(text(m.footer, [{ type: 'em' }])));
  return { type: 'doc', version: 1, content };
}

export function jiraSummary(n: Notification): string {
  const f = n.finding;
  return plain(
    `[ECS Guardrail] ${f.severity.toUpperCase()}: ${plain(f.title, 150)} (${f.resource.name ?? f.resource.arn})`,
    255,
  );
}

/** The issue's fields (create). */
export function jiraIssueFields(
  n: Notification,
  o: { projectKey: string; issueType: string; labels: readonly string[] },
): Record<string, unknown> {
  return {
    project: { key: o.projectKey },
    issuetype: { name: o.issueType },
    summary: jiraSummary(n),
    description: body(messageFacts({ ...n, kind: 'opened' }), false),
    labels: [...new Set([...o.labels, findingLabel(n.finding.findingId)])],
  };
}

/** A comment: a reminder, the resolution, or a finding opened again after it resolved. */
export function jiraComment(n: Notification, reopened = false): Record<string, unknown> {
  const m = messageFacts(n);
  return {
    body: body(reopened ? { ...m, headline: `Opened again: ${m.headline}` } : m, true),
  };
}
