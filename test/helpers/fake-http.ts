/**
 * A local HTTP server on loopback standing in for PagerDuty's Events API, Jira Cloud, a Microsoft Teams
 * Workflows webhook or a webhook receiver: it records every request (method, path, headers, raw body,
 * parsed JSON, the status answered) and answers as scripted: a queue of answers first (429 with
 * Retry-After, 5xx, a hang that never answers, a late answer), then a route function (a small fake Jira),
 * then 200 `{}`. `at(path)` gives the URL of a path on it.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  /** Answer this many ms late (the request counts as received on arrival). */
  readonly delayMs?: number;
  /** Never answer (recorded with status 0). */
  readonly hang?: boolean;
  /** Send the status line, headers and a first chunk, then never finish the body. */
  readonly stall?: boolean;
}

export const tooManyRequests = (retryAfterSeconds: number): Reply => ({
  status: 429,
  headers: { 'retry-after': String(retryAfterSeconds) },
});
export const serverError = (status = 500): Reply => ({ status });
export const hang: Reply = { status: 0, hang: true };

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly raw: string;
  readonly json: unknown;
  status: number;
}

export interface FakeHttp {
  readonly origin: string;
  at(path: string): string;
  readonly requests: RecordedRequest[];
  /** Requests answered 2xx (what the service accepted). */
  accepted(): RecordedRequest[];
  /** Queue answers (consumed in order, before the route function). */
  script(...replies: Reply[]): void;
  /** Answer what the queue does not (a fake service's behaviour); undefined: 200 `{}`. */
  route(fn: ((r: RecordedRequest) => Reply | undefined) | undefined): void;
  reset(): void;
  close(): Promise<void>;
}

export async function startFakeHttp(): Promise<FakeHttp> {
  const queue: Reply[] = [];
  let routeFn: ((r: RecordedRequest) => Reply | undefined) | undefined;
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      let json: unknown;
      try {
        json = JSON.parse(raw) as unknown;
      } catch {
        json = undefined;
      }
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        raw,
        json,
        status: 0,
      };
      requests.push(rec);
      const reply = queue.shift() ?? routeFn?.(rec) ?? { status: 200, body: {} };
      if (reply.hang) {
        hanging.add(res);
        return;
      }
      rec.status = reply.status;
      if (reply.stall) {
        hanging.add(res);
        res.writeHead(reply.status, { 'content-type': 'application/json' });
        res.write('{"status":');
        return;
      }
      const answer = (): void => {
        res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    at: (path) => `${origin}${path}`,
    requests,
    accepted: () => requests.filter((r) => r.status >= 200 && r.status < 300),
    script: (...r) => void queue.push(...r),
    route: (fn) => {
      routeFn = fn;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      routeFn = undefined;
    },
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A small Jira Cloud: creates issues (KEY-1, KEY-2, ...) with their labels, finds them by label through
 * the search endpoint, records comments, offers the "Done" transition until it is applied.
 */
export interface FakeJira {
  readonly issues: Map<string, { fields: Record<string, unknown>; status: string; comments: unknown[] }>;
}

export function fakeJira(http: FakeHttp, project = 'SEC'): FakeJira {
  const issues: FakeJira['issues'] = new Map();
  http.route((r) => {
    if (r.method === 'POST' && r.path === '/rest/api/3/issue') {
      const key = `${project}-${issues.size + 1}`;
      issues.set(key, {
        fields: (r.json as { fields: Record<string, unknown> }).fields,
        status: 'To Do',
        comments: [],
      });
      return {
        status: 201,
        body: { id: String(10000 + issues.size), key, self: `${http.origin}/rest/api/3/issue/${key}` },
      };
    }
    if (r.method === 'POST' && r.path === '/rest/api/3/search/jql') {
      const label = /labels = "([^"]+)"/.exec((r.json as { jql: string }).jql)?.[1];
      const hits = [...issues].filter(([, i]) => (i.fields.labels as string[]).includes(label ?? ''));
      return { status: 200, body: { issues: hits.slice(0, 1).map(([key]) => ({ key })) } };
    }
    const m = /^\/rest\/api\/3\/issue\/([^/]+)\/(comment|transitions)$/.exec(r.path);
    const issue = m ? issues.get(decodeURIComponent(m[1]!)) : undefined;
    if (m && !issue) return { status: 404, body: { errorMessages: ['Issue does not exist'] } };
    if (issue && m![2] === 'comment' && r.method === 'POST') {
      issue.comments.push((r.json as { body: unknown }).body);
      return { status: 201, body: { id: String(issue.comments.length) } };
    }
    if (issue && m![2] === 'transitions' && r.method === 'GET')
      return {
        status: 200,
        body: {
          transitions: issue.status === 'Done' ? [] : [{ id: '31', name: 'Done', to: { name: 'Done' } }],
        },
      };
    if (issue && m![2] === 'transitions' && r.method === 'POST') {
      issue.status = 'Done';
      return { status: 204 };
    }
    return undefined;
  });
  return { issues };
}
