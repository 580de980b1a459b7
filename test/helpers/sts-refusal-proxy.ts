/**
 * moto's STS assumes any role, existing or not, and checks no trust policy (docs/local-pipeline.md, "moto
 * limits"), so a member account that was never onboarded cannot be shown with moto alone. This loopback
 * proxy sits in front of moto for STS only (AWS_ENDPOINT_URL_STS): an AssumeRole of a role in one of the
 * refused accounts gets the answer AWS gives when the role is missing or its trust policy does not name
 * the caller (HTTP 403, query-protocol error `AccessDenied`, the same for both: STS does not tell them
 * apart); every other request is forwarded to moto unchanged. The real SDK parses the answer, so the
 * code under test sees exactly the error AWS would raise. It also records each AssumeRole's RoleArn.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StsRefusalProxy {
  /** e.g. http://127.0.0.1:53124: point AWS_ENDPOINT_URL_STS at it. */
  readonly endpoint: string;
  /** RoleArn of every AssumeRole seen (refused ones included), in order. */
  readonly assumed: string[];
  close(): Promise<void>;
}

/** The role ARN of an STS query-protocol AssumeRole request body, else undefined. */
function assumeRoleArn(body: string): string | undefined {
  const form = new URLSearchParams(body);
  return form.get('Action') === 'AssumeRole' ? (form.get('RoleArn') ?? undefined) : undefined;
}

const denied = (roleArn: string): string =>
  `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>` +
  `<Code>AccessDenied</Code><Message>User: arn:aws:sts::123456789012:assumed-role/caller/session is not ` +
  `authorized to perform: sts:AssumeRole on resource: ${roleArn}</Message></Error>` +
  `<RequestId>00000000-0000-4000-8000-000000000000</RequestId></ErrorResponse>`;

export async function startStsRefusalProxy(
  target: string,
  refusedAccounts: readonly string[],
): Promise<StsRefusalProxy> {
  const upstream = new URL(target);
  const assumed: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const roleArn = assumeRoleArn(body.toString('utf8'));
      if (roleArn) assumed.push(roleArn);
      const account = roleArn?.split(':')[4];
      if (roleArn && account && refusedAccounts.includes(account)) {
        const xml = denied(roleArn);
        res.writeHead(403, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(xml)) });
        res.end(xml);
        return;
      }
      const up = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', (err) => {
        res.writeHead(502);
        res.end(String(err));
      });
      up.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    assumed,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
