/**
 * Jira Cloud (REST API v3, basic auth with an account email and API token): one issue per finding.
 *   opened:   the finding's issue is looked up (the issue-ref record, ./issue-refs.ts; else the finding's
 *             label, `labels = "guardrail-<hash>"`); none: the issue is created and its key recorded.
 *             So a retry after a create that Jira performed but did not confirm finds the issue instead
 *             of creating a second one. A finding opened again after it resolved gets a comment.
 *   reminder: a comment on the issue (created first if there is none).
 *   resolved: the `resolveTransition` (default "Done") when the issue offers it, then a comment; no
 *             issue: nothing to do.
 * The credentials secret (SSM SecureString or Secrets Manager) holds JSON `{"email": ..., "apiToken": ...}`;
 * neither ever appears in an error or a log. The site is the policy's `https://<domain>.atlassian.net`.
 */
import { jiraSpec, type JiraSection } from '../../../plugins/channels/jira';
import type { Notification } from '../../types';
import { defineChannel, type Target } from '../channel';
import { ChannelConfigError, ChannelDeliveryError } from '../errors';
import { loopbackEndpoint, sendHttp, type HttpOptions, type HttpResponse } from '../http';
import { deliverInRuns } from '../runs';
import { AwsSecretStore, type SecretStore } from '../secret-store';
import { routeKey, teamRoute } from '../team-route';
import { MemoryIssueRefStore, type IssueRefStore } from './issue-refs';
import { findingLabel, jiraComment, jiraIssueFields } from './message';

export type { JiraSection } from '../../../plugins/channels/jira';

export interface JiraDeps {
  readonly secrets?: SecretStore;
  /** Where created issue keys are recorded (the Lambda: the state table). */
  readonly refs?: IssueRefStore;
  readonly http?: HttpOptions;
  /** Tests only: a loopback URL replacing the Jira site. */
  readonly endpoint?: string;
}

export interface JiraTarget extends Target {
  readonly site: string;
  readonly credentialsParameter: string;
  readonly projectKey: string;
  readonly issueType: string;
  readonly resolveTransition: string;
  readonly labels: readonly string[];
}

interface Credentials {
  readonly email: string;
  readonly apiToken: string;
}

function parseCredentials(value: string, ref: string): Credentials {
  let c: unknown;
  try {
    c = JSON.parse(value);
  } catch {
    c = undefined;
  }
  const o = c as Partial<Credentials> | undefined;
  if (!o || typeof o.email !== 'string' || typeof o.apiToken !== 'string' || !o.email || !o.apiToken)
    throw new ChannelConfigError(`secret ${ref} must hold JSON {"email": ..., "apiToken": ...}`);
  return { email: o.email, apiToken: o.apiToken };
}

const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-\d+$/;

export const jiraChannel = defineChannel<JiraSection, JiraDeps, JiraTarget>({
  ...jiraSpec,
  idempotent: false,
  targets(finding, section) {
    const r = teamRoute(finding, section);
    const projectKey = r?.route?.projectKey ?? (r ? section.projectKey : undefined);
    return r && projectKey && section.site && section.credentialsParameter
      ? [
          {
            key: routeKey('jira', r.team),
            channel: 'jira',
            site: section.site,
            credentialsParameter: section.credentialsParameter,
            projectKey,
            issueType: section.issueType,
            resolveTransition: section.resolveTransition,
            labels: section.labels,
          },
        ]
      : [];
  },
  open(deps) {
    const secrets = deps?.secrets ?? new AwsSecretStore();
    const refs = deps?.refs ?? new MemoryIssueRefStore();
    /** API tokens and Authorization header values seen so far: scrubbed like the secret they come from. */
    const knownAuth: string[] = [];
    return {
      knownSecrets: () => [...secrets.known(), ...knownAuth],
      async deliver(items, ctx) {
        const http = {
          ...deps?.http,
          ...(ctx.deadline !== undefined ? { deadline: ctx.deadline } : {}),
          now: ctx.now,
        };
        await deliverInRuns(items, ctx, {
          service: 'Jira',
          destination: (t) => `${t.site} ${t.projectKey}`,
          secrets: () => [...secrets.known(), ...knownAuth],
          onRejected: (i, f) => {
            if (f.status === 401 || f.status === 403) secrets.evict(i.target.credentialsParameter);
          },
          async send({ n, target }) {
            const creds = parseCredentials(
              await secrets.get(target.credentialsParameter),
              target.credentialsParameter,
            );
            const auth = `Basic ${Buffer.from(`${creds.email}:${creds.apiToken}`).toString('base64')}`;
            for (const secret of [auth, creds.apiToken])
              if (!knownAuth.includes(secret)) knownAuth.push(secret);
            const base = loopbackEndpoint(deps?.endpoint, target.site);
            const call = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResponse> =>
              sendHttp(
                {
                  service: 'Jira',
                  url: `${base}${path}`,
                  method,
                  headers: {
                    authorization: auth,
                    accept: 'application/json',
                    ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
                  },
                  ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
                },
                http,
              );
            await deliverToJira(n, target, call, refs);
          },
        });
      },
    };
  },
});

type Call = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<HttpResponse>;

async function findIssue(
  n: Notification,
  call: Call,
  refs: IssueRefStore,
): Promise<{ key: string; createdBy?: string } | undefined> {
  const id = n.finding.findingId;
  const ref = await refs.get(id);
  if (ref) return { key: ref.issueKey, ...(ref.createdBy ? { createdBy: ref.createdBy } : {}) };
  const found = await call('POST', '/rest/api/3/search/jql', {
    jql: `labels = "${findingLabel(id)}" ORDER BY created ASC`,
    fields: ['status'],
    maxResults: 1,
  });
  const key = (found.json as { issues?: { key?: unknown }[] } | undefined)?.issues?.[0]?.key;
  if (typeof key !== 'string' || !ISSUE_KEY.test(key)) return undefined;
  // Jira has it but the record was lost: record it now (attributed to no notification).
  await refs.put(id, { issueKey: key });
  return { key };
}

async function createIssue(
  n: Notification,
  target: JiraTarget,
  call: Call,
  refs: IssueRefStore,
): Promise<string> {
  const res = await call('POST', '/rest/api/3/issue', { fields: jiraIssueFields(n, target) });
  const key = (res.json as { key?: unknown } | undefined)?.key;
  if (typeof key !== 'string' || !ISSUE_KEY.test(key))
    throw new ChannelDeliveryError('Jira created an issue but answered no issue key', false, res.status);
  await refs.put(n.finding.findingId, { issueKey: key, createdBy: n.dedupeId });
  return key;
}

async function deliverToJira(
  n: Notification,
  target: JiraTarget,
  call: Call,
  refs: IssueRefStore,
): Promise<void> {
  const issue = await findIssue(n, call, refs);
  const path = (key: string): string => `/rest/api/3/issue/${encodeURIComponent(key)}`;
  if (n.kind === 'resolved') {
    if (!issue) return;
    const res = await call('GET', `${path(issue.key)}/transitions`);
    const want = target.resolveTransition.toLowerCase();
    const transitions = (
      res.json as { transitions?: { id?: unknown; name?: unknown; to?: { name?: unknown } }[] }
    )?.transitions;
    const t = (Array.isArray(transitions) ? transitions : []).find(
      (x) => String(x.name).toLowerCase() === want || String(x.to?.name).toLowerCase() === want,
    );
    // Transition first: when the comment fails, the retry finds the transition gone and only comments.
    if (t && typeof t.id === 'string')
      await call('POST', `${path(issue.key)}/transitions`, { transition: { id: t.id } });
    await call('POST', `${path(issue.key)}/comment`, jiraComment(n));
    return;
  }
  if (!issue) {
    await createIssue(n, target, call, refs);
    return;
  }
  if (n.kind === 'reminder') await call('POST', `${path(issue.key)}/comment`, jiraComment(n));
  // An opened notification other than the one that created the issue: the finding opened again.
  else if (issue.createdBy !== undefined && issue.createdBy !== n.dedupeId)
    await call('POST', `${path(issue.key)}/comment`, jiraComment(n, true));
}
