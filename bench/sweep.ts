/**
 * Sweep benchmark (issue 6): an estate of 1,000 services and 5,000 task definition revisions in
 * moto_server, swept first cold and then again with the task definition cache, timed, with AWS calls
 * counted per API through SDK middleware. Run with `node scripts/bench-sweep.mjs` (bundles this file).
 *
 *   --services N       services (default 1000), spread over --clusters clusters (default 10)
 *   --revisions N      task definition revisions (default 5000), 20 per family, all ACTIVE
 *   --tasks N          running standalone tasks (default 200; each gets an ENI, checked for a public IP)
 *   --concurrency N    the sweep's calls in flight (default 4, the production default)
 *   --write FILE       also write the results as Markdown (machine, date, command, numbers)
 *
 * Every revision is ACTIVE, so the first sweep must describe all of them: the worst case for the cache.
 */
import { createStateTable } from '../shared/store/state-table';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, type as osType, release } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  type ContainerDefinition,
} from '@aws-sdk/client-ecs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_POLICY } from '../shared/policy/load';
import { MemoryFindingStore } from '../shared/store/memory-store';
import { CallCounter } from '../shared/sweep/call-counter';
import { sweepClientConfig } from '../shared/sweep/clients';
import { DynamoDBTaskDefinitionCache } from '../shared/store/dynamodb-td-cache';
import { mapPool } from '../shared/base/pool';
import { runScan, type ScanOutcome } from '../shared/sweep/run';
import { MemoryTaskDefinitionCache, type TaskDefinitionCache } from '../shared/store/td-cache';
import { motoClientConfig, startMoto, TEST_CREDENTIALS, type Moto } from '../test/helpers/moto';
import { defaultNetwork } from '../test/helpers/seed-estate';

const { values: opts } = parseArgs({
  options: {
    services: { type: 'string', default: '1000' },
    clusters: { type: 'string', default: '10' },
    revisions: { type: 'string', default: '5000' },
    tasks: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '4' },
    write: { type: 'string' },
  },
});
const SERVICES = Number(opts.services);
const CLUSTERS = Number(opts.clusters);
const REVISIONS = Number(opts.revisions);
const TASKS = Number(opts.tasks);
const CONCURRENCY = Number(opts.concurrency);
const PER_FAMILY = 20;
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

const log = (s: string) => process.stderr.write(`${s}\n`);
const secs = (ms: number) => (ms / 1000).toFixed(1);

function container(i: number): ContainerDefinition {
  const bad = i % 3 === 0;
  return {
    name: 'app',
    image: bad ? 'nginx:latest' : `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/app${i % 50}:1.${i % 9}.0`,
    memory: 256,
    ...(bad ? { privileged: i % 6 === 0 } : { user: '1000', readonlyRootFilesystem: true }),
    logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/app${i % 50}` } },
    environment: [
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'FEATURE_FLAGS', value: `f${i}` },
    ],
  };
}

async function seed(moto: Moto): Promise<{ seedMs: number; families: number }> {
  const t0 = Date.now();
  const cfg = motoClientConfig(moto, REGION);
  const ecs = new ECSClient(cfg);
  const ec2 = new EC2Client(cfg);
  const { subnets, securityGroup } = await defaultNetwork(ec2);
  const awsvpc = (pub: boolean) => ({
    awsvpcConfiguration: {
      subnets,
      securityGroups: [securityGroup],
      assignPublicIp: pub ? ('ENABLED' as const) : ('DISABLED' as const),
    },
  });
  await mapPool([...Array(CLUSTERS).keys()], 8, (c) =>
    ecs.send(
      new CreateClusterCommand({
        clusterName: `cluster-${c}`,
        settings: [{ name: 'containerInsights', value: c % 2 ? 'enabled' : 'disabled' }],
      }),
    ),
  );
  const families = Math.ceil(REVISIONS / PER_FAMILY);
  const latest: string[] = [];
  let done = 0;
  // Revisions of one family are registered in order (a revision number is per family).
  await mapPool([...Array(families).keys()], 8, async (f) => {
    for (let r = 0; r < PER_FAMILY && f * PER_FAMILY + r < REVISIONS; r++) {
      const out = await ecs.send(
        new RegisterTaskDefinitionCommand({
          family: `family-${f}`,
          networkMode: 'awsvpc',
          requiresCompatibilities: ['FARGATE'],
          cpu: '256',
          memory: '512',
          containerDefinitions: [container(f * PER_FAMILY + r)],
        }),
      );
      latest[f] = out.taskDefinition!.taskDefinitionArn!;
      if (++done % 1000 === 0) log(`  registered ${done} revisions (${secs(Date.now() - t0)} s)`);
    }
  });
  await mapPool([...Array(SERVICES).keys()], 8, async (s) => {
    await ecs.send(
      new CreateServiceCommand({
        cluster: `cluster-${s % CLUSTERS}`,
        serviceName: `svc-${s}`,
        taskDefinition: latest[s % families]!,
        desiredCount: 2,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc(s % 4 === 0),
        tags: [{ key: 'team', value: `team-${s % 17}` }],
      }),
    );
    if ((s + 1) % 250 === 0) log(`  created ${s + 1} services (${secs(Date.now() - t0)} s)`);
  });
  await mapPool([...Array(TASKS).keys()], 8, (t) =>
    ecs.send(
      new RunTaskCommand({
        cluster: `cluster-${t % CLUSTERS}`,
        taskDefinition: latest[t % families]!,
        launchType: 'FARGATE',
        networkConfiguration: awsvpc(false),
      }),
    ),
  );
  return { seedMs: Date.now() - t0, families };
}

interface Measured {
  readonly label: string;
  readonly ms: number;
  readonly sweepMs: number;
  readonly counts: ScanOutcome['sweep']['counts'];
  readonly taskDefinitions: ScanOutcome['sweep']['taskDefinitions'];
  readonly findings: number;
  readonly calls: Record<string, number>;
  readonly attempts: number;
  /** JS heap in use after a full GC, while this run's resources and findings are still referenced. */
  readonly heapMb: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(
  label: string,
  moto: Moto,
  cache: TaskDefinitionCache,
  counter: CallCounter,
): Promise<Measured> {
  const cfg = {
    ...sweepClientConfig({ region: REGION }),
    endpoint: moto.endpoint,
    credentials: TEST_CREDENTIALS,
  };
  const ecs = counter.attach(new ECSClient(cfg));
  const ec2 = counter.attach(new EC2Client(cfg));
  counter.reset();
  const t0 = performance.now();
  const outcome = await runScan({
    ecs,
    ec2,
    account: ACCOUNT,
    region: REGION,
    cache,
    concurrency: CONCURRENCY,
    policy: DEFAULT_POLICY,
    store: new MemoryFindingStore(),
  });
  const ms = performance.now() - t0;
  const s = outcome.sweep;
  if (!s.complete) throw new Error(`${label}: partial sweep: ${JSON.stringify(s.gaps)}`);
  let attempts = 0;
  for (const v of counter.attempts.values()) attempts += v;
  log(
    `${label}: ${secs(ms)} s, ${counter.total()} calls, ${s.taskDefinitions.described} described, ${s.taskDefinitions.fromCache} from cache, ${outcome.evaluation.findings.length} findings`,
  );
  gc?.();
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  return {
    label,
    ms,
    sweepMs: s.durationMs,
    counts: s.counts,
    taskDefinitions: s.taskDefinitions,
    findings: outcome.evaluation.findings.length,
    calls: counter.snapshot(),
    attempts,
    heapMb,
  };
}

function motoVersion(): string {
  try {
    return execFileSync('python3', ['-c', 'import moto; print(moto.__version__)'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
}

function markdown(
  runs: readonly Measured[],
  seedInfo: { seedMs: number; families: number },
  peakRssMb: number,
  command: string,
): string {
  const first = runs[0]!;
  const apis = [...new Set(runs.flatMap((r) => Object.keys(r.calls)))].sort();
  const cpu = cpus();
  const head = `| API | ${runs.map((r) => r.label).join(' | ')} |\n|---|${runs.map(() => '---:').join('|')}|`;
  const rows = apis.map(
    (a) => `| \`${a}\` | ${runs.map((r) => (r.calls[a] ?? 0).toLocaleString('en-US')).join(' | ')} |`,
  );
  const total = `| **total calls** | ${runs
    .map(
      (r) =>
        `**${Object.values(r.calls)
          .reduce((x, y) => x + y, 0)
          .toLocaleString('en-US')}**`,
    )
    .join(' | ')} |`;
  const attempts = `| HTTP attempts (retries included) | ${runs.map((r) => r.attempts.toLocaleString('en-US')).join(' | ')} |`;
  return `# Sweep benchmark

Machine: ${cpu[0]?.model ?? 'unknown CPU'} (${cpu.length} logical CPUs), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}; Node ${process.version}; moto_server ${motoVersion()} on 127.0.0.1 (one Python process: every AWS call in this benchmark is served by moto, single-threaded by the GIL).
Load average when the runs ended (1/5/15 min): ${loadavg()
    .map((x) => x.toFixed(1))
    .join(
      ' / ',
    )} (other jobs shared the machine: absolute times are an upper bound; the call counts are exact).
Date: ${new Date().toISOString()}
Command: \`${command}\`

Estate: ${first.counts.clusters} clusters (half with Container Insights off), ${first.counts.services.toLocaleString('en-US')} services (awsvpc, one in four with a public IP), ${first.counts.tasks} running tasks (each with an ENI), ${first.counts.taskDefinitions.toLocaleString('en-US')} task definition revisions (${seedInfo.families} families x 20 revisions, all ACTIVE, so the first sweep must describe every one). Seeding took ${secs(seedInfo.seedMs)} s and is not measured.
Sweep: concurrency ${CONCURRENCY} (AWS calls in flight), adaptive retries, production client configuration; each run also evaluates every resource and records the findings (memory store).

| Run | Wall time | Sweep (list + describe) | DescribeTaskDefinition | From cache | Findings | JS heap after GC |
|---|---:|---:|---:|---:|---:|---:|
${runs.map((r) => `| ${r.label} | ${secs(r.ms)} s | ${secs(r.sweepMs)} s | ${r.taskDefinitions.described.toLocaleString('en-US')} | ${r.taskDefinitions.fromCache.toLocaleString('en-US')} | ${r.findings.toLocaleString('en-US')} | ${gc ? `${r.heapMb.toFixed(0)} MB` : 'n/a'} |`).join('\n')}

AWS calls by API (logical calls, counted by SDK middleware; retries are not extra calls):

${head}
${rows.join('\n')}
${total}
${attempts}

Peak RSS of the benchmark process: ${peakRssMb.toFixed(0)} MB (it also holds the SDK clients of the seeding and the memory cache of 5,000 revisions across runs). "JS heap after GC" is the heap in use right after a run, with that run's resources, findings and caches still referenced: what a sweep of this estate needs, well inside a 512 MB Lambda.

Reading the numbers: the repeated sweeps make no DescribeTaskDefinition call (revisions are immutable and cached); what remains is listing (paginated, ${first.counts.services.toLocaleString('en-US')} services in DescribeServices batches of 10), which must be redone every sweep because services, tasks and settings change. The cold-container run reads the ${first.counts.taskDefinitions.toLocaleString('en-US')} cached revisions from DynamoDB with BatchGetItem (100 keys per call). Against real AWS the wall time is bounded by the ECS API rate limits (the sweep keeps ${CONCURRENCY} calls in flight and backs off when throttled), not by moto's speed.
`;
}

const moto = await startMoto();
try {
  await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
  log(`seeding ${SERVICES} services, ${REVISIONS} revisions, ${TASKS} tasks in moto ...`);
  const seedInfo = await seed(moto);
  log(`seeded in ${secs(seedInfo.seedMs)} s`);

  const counter = new CallCounter();
  const memory = new MemoryTaskDefinitionCache();
  const runs: Measured[] = [];
  let peak = process.memoryUsage().rss;
  const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 100);
  runs.push(await measure('first sweep (empty cache)', moto, memory, counter));
  runs.push(await measure('repeated sweep (memory cache)', moto, memory, counter));

  // The sweep function: the DynamoDB cache, filled by one sweep, then read by a cold container.
  const ddb = counter.attach(new DynamoDBClient(motoClientConfig(moto, REGION)));
  await createStateTable(ddb, 'bench');
  const doc = DynamoDBDocumentClient.from(ddb);
  runs.push(
    await measure(
      'first sweep (DynamoDB cache)',
      moto,
      new DynamoDBTaskDefinitionCache(doc, { tableName: 'bench' }),
      counter,
    ),
  );
  runs.push(
    await measure(
      'repeated sweep, cold container (DynamoDB cache)',
      moto,
      new DynamoDBTaskDefinitionCache(doc, { tableName: 'bench' }),
      counter,
    ),
  );
  clearInterval(sample);
  peak = Math.max(peak, process.memoryUsage().rss);

  const command = `node scripts/bench-sweep.mjs ${process.argv.slice(2).join(' ')}`.trim();
  const md = markdown(runs, seedInfo, peak / 2 ** 20, command);
  process.stdout.write(`${JSON.stringify(runs, null, 1)}\n`);
  if (opts.write) {
    writeFileSync(opts.write, md);
    log(`written to ${opts.write}`);
  } else {
    log(md);
  }
} finally {
  await moto.stop();
}
