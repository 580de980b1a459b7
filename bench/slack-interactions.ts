/**
 * Slack interactivity endpoint benchmark (issue 13): the time the handler takes to answer Slack (which
 * gives up after 3 s), measured locally, never as a timed test. Run through `npm run bench:slack`
 * (scripts/bench-slack.mjs bundles this file with esbuild and runs it under plain node).
 *
 *   handler    the deployed handler factory (functions/edge/slack-interactions-handler.ts) with its real
 *              collaborators from the environment: signing secret from an SSM SecureString, replay guard
 *              in DynamoDB, the job on SQS, all on moto_server (loopback). One signed Approve press per
 *              request, sequential; the first request (cold: SSM read, clients) reported apart.
 *   refused    the same handler, requests with a wrong signature (401 before any AWS call but the cached
 *              secret).
 *   core       baseline side by side: shared/interactions/request.ts with in-memory collaborators (the
 *              signature, parsing and allow-list work alone, no I/O).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, PurgeQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { MemorySlackJobQueue } from '../shared/interactions/jobs';
import { handleSlackRequest } from '../shared/interactions/request';
import { MemorySlackInteractionStore } from '../shared/store/slack-interactions';
import { createStateTable } from '../shared/store/state-table';
import { ALLOWED, blockActions, signedEvent, SIGNING_SECRET, TEAM } from '../test/helpers/slack-requests';
import { motoClientConfig, startMoto, TEST_CREDENTIALS } from '../test/helpers/moto';

interface Args {
  n: number;
  core: number;
  out?: string;
  command?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { n: 500, core: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--n') a.n = Number(v);
    else if (argv[i] === '--core') a.core = Number(v);
    else if (argv[i] === '--out') a.out = v;
    else if (argv[i] === '--command') a.command = v;
    else continue;
    i++;
  }
  return a;
}

function stats(ms: number[]): Record<string, number> {
  const s = [...ms].sort((x, y) => x - y);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: s.length,
    p50: round(at(0.5)),
    p95: round(at(0.95)),
    p99: round(at(0.99)),
    max: round(s.at(-1)!),
  };
}

const FINDING_ID = '0123456789abcdef0123456789abcdef';
const POLICY = `notifications:
  slack:
    interactivity:
      enabled: true
      workspaces:
        ${TEAM}: { approve: [${ALLOWED}], snooze: [${ALLOWED}], exempt: [${ALLOWED}], acknowledge: [${ALLOWED}] }
`;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const moto = await startMoto();
  const config = motoClientConfig(moto);
  const table = 'bench-slack';
  await createStateTable(new DynamoDBClient(config), table);
  const sqs = new SQSClient(config);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-slack-jobs' }))).QueueUrl!;
  await new SSMClient(config).send(
    new PutParameterCommand({
      Name: '/guardrail/slack/signing-secret',
      Type: 'SecureString',
      Value: SIGNING_SECRET,
    }),
  );
  const dir = mkdtempSync(join(os.tmpdir(), 'bench-slack-'));
  writeFileSync(join(dir, 'policy.yml'), POLICY);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    GUARDRAIL_TABLE: table,
    GUARDRAIL_POLICY_FILE: join(dir, 'policy.yml'),
    GUARDRAIL_SLACK_SIGNING_SECRET_PARAMETER: '/guardrail/slack/signing-secret',
    GUARDRAIL_SLACK_JOBS_QUEUE_URL: queueUrl,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  // Imported after the environment is set: the Powertools logger reads its level when it is created.
  const { slackInteractionsHandler } = await import('../functions/edge/slack-interactions-handler');
  const handler = slackInteractionsHandler();
  const press = (): LambdaFunctionURLEvent =>
    signedEvent(
      blockActions({
        findingId: FINDING_ID,
        action: 'guardrail:approve',
        responseUrl: 'https://hooks.slack.com/actions/T/1/x',
      }),
    );

  const time = async (event: LambdaFunctionURLEvent, expect: number): Promise<number> => {
    const t0 = performance.now();
    const res = await handler(event);
    const ms = performance.now() - t0;
    const status = typeof res === 'string' ? 0 : res.statusCode;
    if (status !== expect) throw new Error(`expected ${expect}, got ${String(status)}`);
    return ms;
  };

  const cold = await time(press(), 200);
  const accepted: number[] = [];
  for (let i = 0; i < args.n; i++) accepted.push(await time(press(), 200));
  const refused: number[] = [];
  for (let i = 0; i < args.n; i++)
    refused.push(
      await time(
        signedEvent(blockActions({ findingId: FINDING_ID, action: 'guardrail:approve' }), {
          secret: 'ffffffffffffffffffffffffffffffff',
        }),
        401,
      ),
    );
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));

  // Baseline: the request logic alone, in memory.
  const queue = new MemorySlackJobQueue();
  const deps = {
    signingSecret: async () => SIGNING_SECRET,
    interactivity: {
      enabled: true,
      workspaces: {
        [TEAM]: { approve: [ALLOWED], snooze: [ALLOWED], exempt: [ALLOWED], acknowledge: [ALLOWED] },
      },
    },
    replays: new MemorySlackInteractionStore(),
    queue,
    finding: async () => undefined,
    logger: { info: () => undefined, warn: () => undefined },
  };
  const core: number[] = [];
  for (let i = 0; i < args.core; i++) {
    const e = press();
    const t0 = performance.now();
    await handleSlackRequest({ headers: e.headers, body: e.body ?? '' }, deps);
    core.push(performance.now() - t0);
    if (queue.jobs.length > 1000) queue.jobs.length = 0;
  }
  await moto.stop();

  const handlerStats = stats(accepted);
  const coreStats = stats(core);
  const results = {
    date: new Date().toISOString(),
    command: args.command,
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
    },
    coldFirstRequestMs: Math.round(cold * 1000) / 1000,
    handler: handlerStats,
    refused: stats(refused),
    core: coreStats,
    ratioP50: Math.round((handlerStats.p50! / coreStats.p50!) * 10) / 10,
    ratioP99: Math.round((handlerStats.p99! / coreStats.p99!) * 10) / 10,
  };
  console.log(JSON.stringify(results, null, 2));
  if (args.out) writeFileSync(args.out, JSON.stringify(results, null, 2));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
