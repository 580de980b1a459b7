/**
 * A local HTTP server standing in for Slack incoming webhooks: records payloads, answers as scripted.
 * One server serves any number of webhooks (one per path, e.g. a default and per-team webhooks).
 * A scripted answer can come late (`delayMs`: Slack posts at once, answers after the delay) or never
 * (`hang`: Slack neither posts nor answers; the connection stays open until the client gives up).
 */
import { createServer, type Server } from 'node:http';

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Answer this many ms after the request arrived (a 2xx counts as posted on arrival, like Slack). */
  readonly delayMs?: number;
  /** Never answer, never post (recorded with status 0). */
  readonly hang?: boolean;
}

/** A webhook that takes the post but answers `ms` late. */
export const slow = (ms: number): ScriptedResponse => ({ status: 200, delayMs: ms });
/** A webhook that never answers. */
export const hanging: ScriptedResponse = { status: 0, hang: true };
/** Slack rate limiting for `seconds` (e.g. 86400: a day). */
export const rateLimited = (seconds: number): ScriptedResponse => ({
  status: 429,
  headers: { 'retry-after': String(seconds) },
});

export interface ReceivedRequest {
  readonly path: string;
  readonly body: unknown;
  /** The status answered (0: never answered). */
  readonly status: number;
  readonly at: number;
}

export interface FakeSlack {
  /** The default webhook (path /services/T000/B000/XXXXSECRET). */
  readonly url: string;
  /** Every request body received, parsed as JSON, in order (including the ones answered with errors). */
  readonly requests: unknown[];
  /** Bodies of the requests answered 2xx. */
  readonly delivered: unknown[];
  /** Every request with its path, the status it got and when (epoch ms). */
  readonly received: ReceivedRequest[];
  /** A webhook URL on this server for another channel, e.g. urlFor('payments'). */
  urlFor(name: string): string;
  /** Queue responses (any path); when empty the server answers 200 "ok". */
  script(...responses: ScriptedResponse[]): void;
  /** Queue responses for one webhook (urlFor(name)); consulted before the shared queue. */
  scriptFor(name: string, ...responses: ScriptedResponse[]): void;
  /** Answer every request to one webhook this way until cleared with undefined. */
  always(name: string, response: ScriptedResponse | undefined): void;
  /** Answer every request to the default webhook this way until cleared with undefined. */
  alwaysDefault(response: ScriptedResponse | undefined): void;
  /** Clear recorded requests and scripts. */
  reset(): void;
  close(): Promise<void>;
}

const DEFAULT_PATH = '/services/T000/B000/XXXXSECRET';
const pathFor = (name: string): string => `/services/T000/${name}/XXXXSECRET${name.toUpperCase()}`;

export async function startFakeSlack(): Promise<FakeSlack> {
  const queue: ScriptedResponse[] = [];
  const perPath = new Map<string, ScriptedResponse[]>();
  const sticky = new Map<string, ScriptedResponse>();
  const requests: unknown[] = [];
  const delivered: unknown[] = [];
  const received: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '/';
      let body: unknown;
      try {
        body = JSON.parse(data) as unknown;
      } catch {
        body = data;
      }
      requests.push(body);
      const r = sticky.get(path) ??
        perPath.get(path)?.shift() ??
        queue.shift() ?? { status: 200, body: 'ok' };
      received.push({ path, body, status: r.hang ? 0 : r.status, at: Date.now() });
      if (r.hang) return;
      if (r.status >= 200 && r.status < 300) delivered.push(body);
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
        res.end(r.body ?? (r.status === 200 ? 'ok' : 'error'));
      };
      if (r.delayMs) setTimeout(answer, r.delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('fake Slack did not bind');
  const base = `http://127.0.0.1:${addr.port}`;
  return {
    url: `${base}${DEFAULT_PATH}`,
    requests,
    delivered,
    received,
    urlFor: (name) => `${base}${pathFor(name)}`,
    script: (...r) => queue.push(...r),
    scriptFor: (name, ...r) => perPath.set(pathFor(name), [...(perPath.get(pathFor(name)) ?? []), ...r]),
    always: (name, r) => (r ? sticky.set(pathFor(name), r) : sticky.delete(pathFor(name))),
    alwaysDefault: (r) => (r ? sticky.set(DEFAULT_PATH, r) : sticky.delete(DEFAULT_PATH)),
    reset: () => {
      requests.length = 0;
      delivered.length = 0;
      received.length = 0;
      queue.length = 0;
      perPath.clear();
      sticky.clear();
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
