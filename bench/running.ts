/**
 * Running inventory benchmark (issue 14): task state changes through the ecs-state-change handler against
 * moto_server (DynamoDB state table, SQS outbox), one event at a time, timed; every AWS request goes
 * through a loopback proxy that counts it by API and counts the items of each DynamoDB write (a
 * TransactWriteItems counts its items). Side by side on the same machine and moto (the
 * handlers' own pipeline, functions/edge/pipeline-handler.ts buildPipeline, called as the handler calls it):
 *   - baseline: the handler without the running inventory (the pipeline before issue 14);
 *   - inventory: the handler as deployed (running: true), digest not scanned (the common case);
 *   - vulnerable: the same, the digest reported critical by an ECR Image Scan first (each start opens a
 *     finding and queues it, each last stop resolves it).
 * Each scenario: N RUNNING events (new task ids over 10 services), then the N STOPPED events.
 * Run with `npm run bench:running` (scripts/bench-running.mjs bundles this file).
 *
 *   --tasks N        task starts per scenario (default 300)
 *   --write FILE     also write the results as Markdown (machine, date, command, numbers)
 */
import { writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createStateTable } from '../shared/store/state-table';
import { motoClientConfig, startMoto } from '../test/helpers/moto';
import { ecrScanEvent, taskEvent } from '../test/helpers/running-events';

const { values: opts } = parseArgs({
  options: { tasks: { type: 'string', default: '300' }, write: { type: 'string' } },
});
const N = Number(opts.tasks);
const log = (s: string) => process.stderr.write(`${s}\n`);

/** Counts requests by API (X-Amz-Target or SQS Action) and the items DynamoDB writes. */
interface Counts {
  calls: Map<string, number>;
  /** Milliseconds from the request's arrival at the proxy to the end of moto's answer, per API. */
  ms: Map<string, number>;
  writeItems: number;
}

async function countingProxy(target: string, counts: () => Counts) {
  const upstream = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const c = counts();
      // `DynamoDB_20120810.GetItem` -> `dynamodb:GetItem`, `AmazonSQS.SendMessage` -> `sqs:SendMessage`.
      const [service = 'other', op = 'other'] = String(req.headers['x-amz-target'] ?? 'other.other').split(
        '.',
      );
      const api = `${service.startsWith('DynamoDB') ? 'dynamodb' : service === 'AmazonSQS' ? 'sqs' : service}:${op}`;
      c.calls.set(api, (c.calls.get(api) ?? 0) + 1);
      if (api === 'dynamodb:TransactWriteItems')
        c.writeItems += (JSON.parse(body.toString()) as { TransactItems: unknown[] }).TransactItems.length;
      else if (['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'].includes(api))
        c.writeItems += 1;
      const started = performance.now();
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
          r.on('end', () => c.ms.set(api, (c.ms.get(api) ?? 0) + performance.now() - started));
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
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => server.close(),
  };
}

const context = {
  functionName: 'ecs-state-change',
  getRemainingTimeInMillis: () => 30_000,
} as unknown as Context;

interface Phase {
  readonly events: number;
  readonly ms: number;
  readonly counts: Counts;
}

interface Scenario {
  readonly name: string;
  readonly running: Phase;
  readonly stopped: Phase;
  readonly findingsOpened: number;
  readonly resolved: number;
}

async function main() {
  const moto = await startMoto();
  let current: Counts = { calls: new Map(), ms: new Map(), writeItems: 0 };
  const proxy = await countingProxy(moto.endpoint, () => current);
  const ddb = new DynamoDBClient(motoClientConfig(moto));
  // Through the proxy: the queue URL then names the proxy, and the outbox's sends are counted too.
  const sqs = new SQSClient({ ...motoClientConfig(moto), endpoint: proxy.endpoint });
  const queue = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-outbox' }))).QueueUrl!;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: proxy.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_MAX_ATTEMPTS: '1',
    GUARDRAIL_OUTBOX_QUEUE_URL: queue,
    GUARDRAIL_ENRICH: 'false',
    GUARDRAIL_POLICY_FILE: join(process.cwd(), 'guardrail.policy.yml'),
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  // The handlers' own pipeline (functions/edge/pipeline-handler.ts buildPipeline), built per scenario:
  // the handler caches one per function name and reads the table name once.
  const { buildPipeline } = await import('../functions/edge/pipeline-handler');

  const scenarios: Scenario[] = [];
  for (const [name, running, scanFirst] of [
    ['baseline: no running inventory', false, false],
    ['inventory, digest not scanned', true, false],
    ['inventory, digest reported critical', true, true],
  ] as const) {
    const table = `bench-${scenarios.length}`;
    await createStateTable(ddb, table);
    process.env.GUARDRAIL_TABLE = table;
    const pipeline = await buildPipeline('ecs-state-change', { running });
    const handler = (e: unknown, c: Context) => pipeline.handle(e, c);
    if (scanFirst) {
      const images = await buildPipeline('image-findings', { running: true });
      await images.handle(ecrScanEvent({ time: '2025-05-06T10:00:00Z' }), context);
    }
    const phase = async (status: 'RUNNING' | 'STOPPED') => {
      current = { calls: new Map(), ms: new Map(), writeItems: 0 };
      let opened = 0;
      let resolved = 0;
      const t0 = performance.now();
      for (let i = 0; i < N; i++) {
        const s = await handler(
          taskEvent({ id: `b${scenarios.length}-${i}`, service: `svc-${i % 10}`, status }),
          context,
        );
        opened += s.new;
        resolved += s.resolved;
      }
      return { phase: { events: N, ms: performance.now() - t0, counts: current }, opened, resolved };
    };
    const up = await phase('RUNNING');
    const down = await phase('STOPPED');
    scenarios.push({
      name,
      running: up.phase,
      stopped: down.phase,
      findingsOpened: up.opened,
      resolved: down.resolved,
    });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queue }));
    log(
      `${name}: ${((N * 1000) / up.phase.ms).toFixed(0)} starts/s, ${((N * 1000) / down.phase.ms).toFixed(0)} stops/s`,
    );
  }
  proxy.close();
  await moto.stop();
  report(scenarios);
}

function otherMs(p: Phase): string {
  const total = [...p.counts.ms.entries()]
    .filter(([a]) => a !== 'dynamodb:TransactWriteItems')
    .reduce((n, [, v]) => n + v, 0);
  return (total / p.events).toFixed(1);
}

function perEvent(p: Phase, key: string): string {
  return ((p.counts.calls.get(key) ?? 0) / p.events).toFixed(2);
}

function report(scenarios: Scenario[]) {
  const rows = scenarios.flatMap((s) =>
    (['running', 'stopped'] as const).map((k) => {
      const p = s[k];
      const ddbCalls = [...p.counts.calls.entries()]
        .filter(([a]) => a.startsWith('dynamodb:'))
        .reduce((n, [, v]) => n + v, 0);
      return `| ${s.name} | ${k === 'running' ? 'RUNNING (start)' : 'STOPPED'} | ${((p.events * 1000) / p.ms).toFixed(0)} | ${(p.ms / p.events).toFixed(1)} ms | ${(ddbCalls / p.events).toFixed(2)} | ${perEvent(p, 'dynamodb:TransactWriteItems')} | ${(p.counts.writeItems / p.events).toFixed(2)} | ${perEvent(p, 'dynamodb:Query')} | ${perEvent(p, 'dynamodb:GetItem')} | ${perEvent(p, 'sqs:SendMessage')} | ${((p.counts.ms.get('dynamodb:TransactWriteItems') ?? 0) / p.events).toFixed(1)} | ${otherMs(p)} |`;
    }),
  );
  const md = [
    `Machine: ${osType()} ${release()}, ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, load ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}; Node ${process.version}; moto_server 5.2.1 on 127.0.0.1.`,
    `Date: ${new Date().toISOString()}. Command: \`npm run bench:running -- --tasks ${N}\`.`,
    '',
    '| scenario | event | events/s | per event | DynamoDB calls / event | TransactWriteItems / event | items written / event | Query / event | GetItem / event | SQS sends / event | ms in TransactWriteItems / event | ms in other AWS calls / event |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Findings opened by the starts of the vulnerable scenario: ${scenarios[2]?.findingsOpened}; resolved by the stops: ${scenarios[2]?.resolved}.`,
  ].join('\n');
  process.stdout.write(`${md}\n`);
  if (opts.write) writeFileSync(opts.write, `${md}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`);
  process.exitCode = 1;
});
