/** A local HTTP server standing in for a Slack incoming webhook: records payloads, answers as scripted. */
import { createServer, type Server } from 'node:http';

export interface ScriptedResponse {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

export interface FakeSlack {
  readonly url: string;
  /** Every request body received, parsed as JSON, in order (including the ones answered with errors). */
  readonly requests: unknown[];
  /** Bodies of the requests answered 2xx. */
  readonly delivered: unknown[];
  /** Queue responses; when empty the server answers 200 "ok". */
  script(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const queue: ScriptedResponse[] = [];
  const requests: unknown[] = [];
  const delivered: unknown[] = [];
  const server: Server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const body = JSON.parse(data) as unknown;
      requests.push(body);
      const r = queue.shift() ?? { status: 200, body: 'ok' };
      if (r.status >= 200 && r.status < 300) delivered.push(body);
      res.writeHead(r.status, { 'content-type': 'text/plain', ...r.headers });
      res.end(r.body ?? (r.status === 200 ? 'ok' : 'error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('fake Slack did not bind');
  return {
    url: `http://127.0.0.1:${addr.port}/services/T000/B000/XXXXSECRET`,
    requests,
    delivered,
    script: (...r) => queue.push(...r),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
