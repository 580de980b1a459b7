/**
 * The bundled CLI (dist/guardrail.cjs, a child process with a clean environment) against AWS as a user
 * meets it: `redrive --dry-run` lists the DLQ of moto without `--to`; no region, no credentials, access
 * denied and throttled each named by its cause (exit 3 when the command could not start, 2 when AWS
 * refused the work), never a stack trace; and no SDK Node-version warning on Node 20.
 *
 * Access denied and throttling come from a loopback fake of SQS's JSON protocol (moto grants everything and
 * never throttles: docs/local-pipeline.md, "moto limits"); the real SDK parses its answers, with its retries.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { motoClientConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../helpers/moto';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'guardrail.cjs');
const home = mkdtempSync(join(tmpdir(), 'guardrail-aws-errors-'));
const WARNING = 'NodeVersionSupportWarning';

/** A clean environment: no AWS settings from the machine (HOME is empty), warnings not silenced. */
function cleanEnv(extra: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: home,
    AWS_CONFIG_FILE: join(home, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

function runNode(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const guardrail = (args: string[], env: Record<string, string>) => runNode([CLI, ...args], env);

/** An SQS endpoint that answers every call with one AWS JSON-protocol error, counting the calls. */
async function fakeSqs(
  status: number,
  type: string,
): Promise<{ endpoint: string; calls: () => number; server: Server }> {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${type}`, message: `${type} (fake)` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, calls: () => calls, server };
}

const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/guardrail-outbox-dlq';
const withCredentials = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
};

let moto: Moto;
let dlqUrl: string;
beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, stdio: 'pipe' });
  moto = await startMoto();
  const sqs = new SQSClient(motoClientConfig(moto));
  dlqUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'guardrail-outbox-dlq' }))).QueueUrl!;
  await sqs.send(new SendMessageCommand({ QueueUrl: dlqUrl, MessageBody: '{"findingId":"f-1"}' }));
}, 60_000);
afterAll(async () => {
  await moto?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('guardrail redrive --dry-run against moto', () => {
  it('lists the DLQ without --to, moves nothing, prints no SDK Node-version warning', async () => {
    const env = cleanEnv({ ...withCredentials, AWS_ENDPOINT_URL: moto.endpoint });
    const r = await guardrail(['redrive', '--queue', dlqUrl, '--dry-run'], env);
    expect(r.stderr).toContain('guardrail redrive: 1 message(s) in the DLQ (nothing moved)');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^would move \S+ finding \? opened: \(no failure recorded/);
    expect(r.stderr).not.toContain(WARNING);
    // Still there (made visible again after listing).
    const sqs = new SQSClient(motoClientConfig(moto));
    const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
    expect(left.Messages?.length).toBe(1);
  });

  it('control: the same SDK call from a plain script does print the warning on Node < 22', async () => {
    const major = Number(process.versions.node.split('.')[0]);
    const env = cleanEnv({ ...withCredentials, AWS_ENDPOINT_URL: moto.endpoint });
    const script = `const { SQSClient, GetQueueUrlCommand } = require('@aws-sdk/client-sqs');
      new SQSClient({}).send(new GetQueueUrlCommand({ QueueName: 'guardrail-outbox-dlq' })).then(() => {});`;
    const r = await runNode(['-e', script], env);
    expect(r.code).toBe(0);
    if (major < 22) expect(r.stderr).toContain(WARNING);
    else expect(r.stderr).not.toContain(WARNING);
  });

  it('--to is still required to move', async () => {
    const r = await guardrail(['redrive', '--queue', dlqUrl], cleanEnv(withCredentials));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('--to must be the URL of the outbox');
  });
});

describe('AWS errors name their cause', () => {
  it('no region: exit 3, "no AWS region", no stack trace', async () => {
    const r = await guardrail(
      ['redrive', '--queue', DLQ, '--dry-run'],
      cleanEnv({ AWS_DEFAULT_REGION: 'us-east-1' }),
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toBe(
      'guardrail redrive: no AWS region: set AWS_REGION (or a region in the AWS profile) (InvalidRegion)\n',
    );
  });

  it('no credentials: exit 3, "no usable AWS credentials", no stack trace', async () => {
    const r = await guardrail(
      ['redrive', '--queue', DLQ, '--dry-run'],
      cleanEnv({ AWS_REGION: 'us-east-1' }),
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^guardrail redrive: no usable AWS credentials: .*\(CredentialsProviderError\)\n$/,
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('access denied: exit 2, "access denied", the AWS error name', async () => {
    const fake = await fakeSqs(400, 'AccessDeniedException');
    try {
      const r = await guardrail(
        // The SDK sends SQS calls to the queue URL's host.
        ['redrive', '--queue', `${fake.endpoint}/123456789012/guardrail-outbox-dlq`, '--dry-run'],
        cleanEnv({ ...withCredentials, AWS_ENDPOINT_URL_SQS: fake.endpoint }),
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'guardrail redrive: access denied: the caller lacks an IAM permission this command needs (AccessDeniedException)\n',
      );
      expect(fake.calls()).toBe(1);
    } finally {
      fake.server.close();
    }
  });

  it('throttled: retried by the SDK, then exit 2, "throttled"', async () => {
    const fake = await fakeSqs(400, 'ThrottlingException');
    try {
      const r = await guardrail(
        // The SDK sends SQS calls to the queue URL's host.
        ['redrive', '--queue', `${fake.endpoint}/123456789012/guardrail-outbox-dlq`, '--dry-run'],
        cleanEnv({ ...withCredentials, AWS_ENDPOINT_URL_SQS: fake.endpoint }),
      );
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(
        /^guardrail redrive: throttled by AWS after the SDK retries: .*\(ThrottlingException\)\n$/,
      );
      expect(fake.calls()).toBeGreaterThan(1);
    } finally {
      fake.server.close();
    }
  });

  it('evaluate --enrich without credentials: the run exits 2 and each failure names "credentials"', async () => {
    const r = await guardrail(
      [
        'evaluate',
        '--enrich',
        '--format',
        'json',
        join(ROOT, 'events', 'cloudtrail-create-service-assign-public-ip.json'),
      ],
      cleanEnv({ AWS_REGION: 'us-east-1' }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /cloudtrail-create-service-assign-public-ip\.json: enrichment failed \(credentials: /,
    );
    expect(r.stderr).toContain('1 with failed enrichment');
    expect(r.stderr).not.toContain(WARNING);
  });
});
