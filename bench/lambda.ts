/**
 * Lambda benchmark (BENCHMARKS.md, "Lambda functions"), run by scripts/bench-lambda.mjs:
 *
 *   package   `npm run package` into bench/out/lambda/pkg: each function's zip size; each zip extracted
 *             into bench/out/lambda/<fn>/ (the handler functions/<fn>.mjs, its chunks, the policy).
 *             `--keep NAME` also copies the extracted zips to bench/out/lambda/saved/NAME/, to measure
 *             them later as the load variant `saved:NAME` (e.g. the bundles of another commit).
 *   variants  the same handlers built other ways (esbuild, the package's options otherwise), for the
 *             load-time comparison.
 *   load      CPU and wall time of `node -e "import(<bundle>)"` against bare `node -e 0`, interleaved
 *             (baseline, then each bundle, per round) so the machine's load hits all of them alike.
 *   latency   warm per-event latency through the whole bundled handler against moto_server (DynamoDB
 *             idempotency, finding store, window counter, SQS outbox included): p50/p90/p99.
 *   replay    peak RSS of one process replaying N events through one bundled handler against moto.
 *
 * Each subcommand writes its results to bench/out/lambda/<subcommand>.json.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { startMotoServer, type MotoServer } from '../scripts/local/moto';

// esbuild and the SDK clients of the set-up are imported where they are used: the replay child loads
// nothing but the handler bundle (its peak RSS is the handler's).

const ROOT = resolve(__dirname, '..', '..');
const OUT = join(ROOT, 'bench', 'out', 'lambda');
const FUNCTIONS = ['ecs-state-change', 'cloudtrail-api-call', 'throttling', 'sweep'] as const;
type Fn = (typeof FUNCTIONS)[number];
const EVENT_FUNCTIONS = ['ecs-state-change', 'cloudtrail-api-call', 'throttling'] as const;

// Events and results are loosely typed JSON (fixtures mutated per event, results written as they are).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${name} must be a positive number`);
  return v;
}
const flag = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

function save(name: string, data: unknown): void {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}

// ------------------------------------------------------------------ statistics

function quantile(sorted: readonly number[], q: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}
function stats(xs: readonly number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  const sd = Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, s.length - 1));
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    n: s.length,
    mean: r(mean),
    sd: r(sd),
    min: r(s[0] ?? NaN),
    p50: r(quantile(s, 0.5)),
    p90: r(quantile(s, 0.9)),
    p99: r(quantile(s, 0.99)),
    max: r(s[s.length - 1] ?? NaN),
  };
}

export function machine() {
  const cpu = cpus();
  return {
    nproc: cpu.length,
    cpu: cpu[0]?.model ?? 'unknown',
    memoryMiB: Math.round(totalmem() / 2 ** 20),
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
    date: new Date().toISOString(),
  };
}

// ------------------------------------------------------------------ package

/** The entries of a zip (stored or deflated), by name. */
function unzip(file: string): Map<string, Buffer> {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= 0; i--)
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  if (eocd < 0) throw new Error(`${file}: not a zip`);
  const out = new Map<string, Buffer>();
  let p = buf.readUInt32LE(eocd + 16);
  for (let n = buf.readUInt16LE(eocd + 10); n > 0; n--) {
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    const dataAt = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const data = buf.subarray(dataAt, dataAt + size);
    out.set(name, method === 0 ? Buffer.from(data) : inflateRawSync(data));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return out;
}

/** The handler of an extracted zip: functions/<fn>.mjs (ESM), or .js (CJS, packages before ESM). */
function bundleIn(dir: string, fn: string): string {
  const esm = join(dir, 'functions', `${fn}.mjs`);
  return existsSync(esm) ? esm : join(dir, 'functions', `${fn}.js`);
}
function bundlePath(fn: Fn): string {
  return bundleIn(join(OUT, fn), fn);
}

function runPackage(): void {
  const pkg = join(OUT, 'pkg');
  rmSync(pkg, { recursive: true, force: true });
  const command = ['npm', 'run', 'package', '--', '--package', pkg];
  const started = Date.now();
  execFileSync(command[0]!, command.slice(1), {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const zips: Json = {};
  const keep = flag('keep');
  for (const fn of FUNCTIONS) {
    const zip = join(pkg, `${fn}.zip`);
    const entries = unzip(zip);
    rmSync(join(OUT, fn), { recursive: true, force: true });
    for (const [name, data] of entries) {
      mkdirSync(dirname(join(OUT, fn, name)), { recursive: true });
      writeFileSync(join(OUT, fn, name), data);
    }
    const handler = bundlePath(fn);
    if (!existsSync(handler)) throw new Error(`${zip}: no functions/${fn}.mjs or .js`);
    if (keep) cpSync(join(OUT, fn), join(OUT, 'saved', keep, fn), { recursive: true });
    zips[fn] = {
      zipBytes: statSync(zip).size,
      bundleBytes: statSync(handler).size,
      unzippedBytes: [...entries.values()].reduce((n, b) => n + b.length, 0),
      entries: [...entries.keys()].length,
      ...coldStartCode(handler),
    };
  }
  save('package', {
    machine: machine(),
    command: command.join(' '),
    seconds: (Date.now() - started) / 1000,
    zips,
  });
  console.log(JSON.stringify(zips, null, 2));
}

// ------------------------------------------------------------------ variants

const BASE = {
  bundle: true,
  minify: true,
  platform: 'node' as const,
  target: 'node20',
  logLevel: 'warning' as const,
};
/** The SDK clients only the lazy paths use (enricher, remediation, notifications). */
const LAZY_CLIENTS = [
  '@aws-sdk/client-ec2',
  '@aws-sdk/client-ecs',
  '@aws-sdk/client-sts',
  '@aws-sdk/client-sqs',
  '@aws-sdk/client-sns',
  '@aws-sdk/client-ssm',
  '@aws-sdk/client-securityhub',
  '@aws-sdk/client-eventbridge',
];
const ESM_BANNER = "import { createRequire as __cr } from 'module'; const require = __cr(import.meta.url);";

export const VARIANTS: Record<string, { describe: string; module: boolean }> = {
  deployed: {
    describe:
      'as packaged (serverless.yml): ESM with code splitting, minified, every package (the whole SDK) bundled from its ESM build, the policy as JSON',
    module: false,
  },
  'sdk-external': {
    describe: 'the previous packaging: CJS, minified, all of `@aws-sdk/*` external (the runtime SDK)',
    module: false,
  },
  'sdk-bundled': { describe: 'CJS, the whole SDK bundled (`exclude: []`)', module: false },
  'hot-sdk-bundled': {
    describe:
      'CJS, only the hot-path SDK (DynamoDB) bundled from its ESM build (`mainFields: [module, main]`, tree-shaken); lazily loaded clients external',
    module: false,
  },
  'esm-split': {
    describe: 'ESM with code splitting, SDK bundled from its ESM build; lazy paths in separate chunks',
    module: true,
  },
};

async function buildVariants(): Promise<void> {
  const { build } = await import('esbuild');
  const dir = join(OUT, 'variants');
  rmSync(dir, { recursive: true, force: true });
  const sizes: Json = {};
  for (const fn of EVENT_FUNCTIONS) {
    const entry = join(ROOT, 'functions', `${fn}.ts`);
    await build({
      ...BASE,
      entryPoints: [entry],
      format: 'cjs',
      external: ['@aws-sdk/*'],
      outfile: join(dir, 'sdk-external', `${fn}.js`),
    });
    await build({
      ...BASE,
      entryPoints: [entry],
      format: 'cjs',
      outfile: join(dir, 'sdk-bundled', `${fn}.js`),
    });
    await build({
      ...BASE,
      entryPoints: [entry],
      format: 'cjs',
      mainFields: ['module', 'main'],
      external: LAZY_CLIENTS,
      outfile: join(dir, 'hot-sdk-bundled', `${fn}.js`),
    });
    const split = await build({
      ...BASE,
      entryPoints: [entry],
      format: 'esm',
      splitting: true,
      mainFields: ['module', 'main'],
      banner: { js: ESM_BANNER },
      outdir: join(dir, 'esm-split', fn),
      outExtension: { '.js': '.mjs' },
      metafile: true,
    });
    const outputs = split.metafile.outputs;
    const main = Object.entries(outputs).find(([, o]) => o.entryPoint)!;
    // Everything the entry chunk imports statically, transitively: what a cold start loads.
    const atStart = new Set<string>([main[0]]);
    for (const path of atStart)
      for (const i of outputs[path]?.imports ?? []) if (i.kind === 'import-statement') atStart.add(i.path);
    sizes[fn] = {
      'sdk-external': statSync(join(dir, 'sdk-external', `${fn}.js`)).size,
      'sdk-bundled': statSync(join(dir, 'sdk-bundled', `${fn}.js`)).size,
      'hot-sdk-bundled': statSync(join(dir, 'hot-sdk-bundled', `${fn}.js`)).size,
      'esm-split': {
        entryBytes: main[1].bytes,
        loadedAtStartBytes: [...atStart].reduce((n, p) => n + (outputs[p]?.bytes ?? 0), 0),
        allChunksBytes: Object.values(outputs).reduce((n, o) => n + o.bytes, 0),
      },
    };
  }
  save('variants', { machine: machine(), sizes });
  console.log(JSON.stringify(sizes, null, 2));
}

function variantFile(variant: string, fn: string): string {
  if (variant === 'deployed') return bundlePath(fn as Fn);
  if (variant.startsWith('saved:')) return bundleIn(join(OUT, 'saved', variant.slice(6), fn), fn);
  if (variant === 'esm-split') return join(OUT, 'variants', variant, fn, `${fn}.mjs`);
  return join(OUT, 'variants', variant, `${fn}.js`);
}

// ------------------------------------------------------------------ load time

/** One child: load the module, report wall (since process start) and CPU. */
function loadOnce(file: string | undefined): { wall: number; cpu: number; spawn: number } {
  const code = file
    ? file.endsWith('.mjs')
      ? `await import(${JSON.stringify(pathToFileURL(file).href)});`
      : `require(${JSON.stringify(file)});`
    : '';
  const report =
    'const u=process.cpuUsage();process.stdout.write(JSON.stringify({wall:performance.now(),cpu:(u.user+u.system)/1000}))';
  const args = file?.endsWith('.mjs') ? ['--input-type=module', '-e', code + report] : ['-e', code + report];
  const t = process.hrtime.bigint();
  const nodeOptions = flag('node-options');
  const r = spawnSync(process.execPath, args, {
    cwd: ROOT,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      NODE_NO_WARNINGS: '1',
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  });
  const spawn = Number(process.hrtime.bigint() - t) / 1e6;
  if (r.status !== 0) throw new Error(`loading ${file}: ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as { wall: number; cpu: number }), spawn };
}

/** The AWS SDK clients a deployed bundle loads at cold start (the rest must be lazy). */
function sdkLoadedAtColdStart(fn: Fn): string[] {
  const file = bundlePath(fn);
  if (file.endsWith('.mjs')) return coldStartCode(file).sdkClients;
  // CJS (older packages): the clients `require`d from node_modules while loading.
  const code = `require(${JSON.stringify(file)});const s=new Set();for(const k of Object.keys(require.cache)){const m=/node_modules\\/(@aws-sdk\\/(client-[^/]+|lib-[^/]+))\\//.exec(k);if(m)s.add(m[1]);}process.stdout.write(JSON.stringify([...s].sort()))`;
  const r = spawnSync(process.execPath, ['-e', code], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1' },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as string[];
}

/** Each bundled client's Smithy service shape name, as it appears in its (minified) code. */
const CLIENT_SERVICES: Record<string, string> = {
  'client-dynamodb': 'DynamoDB_20120810',
  'client-sqs': 'AmazonSQS',
  'client-ecs': 'AmazonEC2ContainerServiceV20141113',
  'client-ec2': 'AmazonEC2',
  'client-sts': 'AWSSecurityTokenServiceV20110615',
  'client-sns': 'AmazonSimpleNotificationService',
  'client-ssm': 'AmazonSSM',
  'client-securityhub': 'SecurityHubAPIService',
  'client-eventbridge': 'AWSEvents',
};

/**
 * What an ESM bundle loads at cold start: the entry and, transitively, the chunks it imports statically
 * (`import ... from "./chunk.mjs"`; `import("./chunk.mjs")` is loaded on first use), and which AWS
 * clients' code (and whether the YAML parser) is in them.
 */
function coldStartCode(entry: string): {
  coldStartBytes: number;
  coldStartFiles: number;
  sdkClients: string[];
  yamlParser: boolean;
} {
  if (!entry.endsWith('.mjs'))
    return {
      coldStartBytes: statSync(entry).size,
      coldStartFiles: 1,
      sdkClients: [],
      yamlParser: readFileSync(entry, 'utf8').includes('"yaml.document"'),
    };
  const seen = new Set<string>([entry]);
  let text = '';
  for (const file of seen) {
    const code = readFileSync(file, 'utf8');
    text += code;
    for (const m of code.matchAll(/(?:import|export)\s*(?:[\w$,{}*\s]*?from\s*)?["'](\.\.?\/[^"']+)["']/g))
      seen.add(resolve(dirname(file), m[1]!));
  }
  const sdkClients = Object.entries(CLIENT_SERVICES)
    .filter(([, service]) => text.includes(`"${service}"`))
    .map(([client]) => `@aws-sdk/${client}`);
  // The YAML parser registers this symbol; the event functions read the packaged JSON policy without it.
  const yamlParser = text.includes('"yaml.document"');
  return { coldStartBytes: Buffer.byteLength(text), coldStartFiles: seen.size, sdkClients, yamlParser };
}

function measureLoad(): void {
  const runs = arg('runs', 40);
  const variants = (flag('variants') ?? 'deployed,sdk-external,sdk-bundled,esm-split').split(',');
  const targets: { key: string; file?: string }[] = [{ key: 'baseline' }];
  for (const v of variants)
    for (const fn of v === 'deployed' || v.startsWith('saved:') ? FUNCTIONS : EVENT_FUNCTIONS) {
      const file = variantFile(v, fn);
      if (!existsSync(file)) throw new Error(`${file} is missing: run the package/variants steps first`);
      targets.push({ key: `${v}/${fn}`, file });
    }
  const samples = new Map<string, { wall: number[]; cpu: number[]; spawn: number[] }>();
  for (const t of targets) samples.set(t.key, { wall: [], cpu: [], spawn: [] });
  for (const t of targets) loadOnce(t.file); // warm the file cache
  const loadBefore = loadavg()[0];
  for (let round = 0; round < runs; round++) {
    for (const t of targets) {
      const s = loadOnce(t.file);
      const acc = samples.get(t.key)!;
      acc.wall.push(s.wall);
      acc.cpu.push(s.cpu);
      acc.spawn.push(s.spawn);
    }
  }
  const base = samples.get('baseline')!;
  const baseSpawn = stats(base.spawn);
  const baseCpu = stats(base.cpu);
  const results: Json = {};
  for (const [key, s] of samples) {
    const spawn = stats(s.spawn);
    const cpu = stats(s.cpu);
    // Paired deltas (same round): the load of the machine moves both alike.
    const dSpawn = stats(s.spawn.map((x, i) => x - base.spawn[i]!));
    const dCpu = stats(s.cpu.map((x, i) => x - base.cpu[i]!));
    results[key] = { spawn, cpu, deltaSpawn: dSpawn, deltaCpu: dCpu };
  }
  const coldStartSdk = Object.fromEntries(FUNCTIONS.map((fn) => [fn, sdkLoadedAtColdStart(fn)]));
  console.log(`SDK loaded at cold start: ${JSON.stringify(coldStartSdk)}`);
  save(flag('save') ?? 'load', {
    machine: { ...machine(), loadavgAtStart: loadBefore },
    coldStartSdk,
    ...(flag('node-options') ? { nodeOptions: flag('node-options') } : {}),
    runs,
    method:
      'per round: spawn `node -e "<require>; report cpuUsage"` for the baseline (`node -e` with nothing loaded) and each bundle in turn; spawn = wall time around spawnSync (what hyperfine measures), cpu = user+system of the child; deltas are paired per round',
    baseline: { spawn: baseSpawn, cpu: baseCpu },
    results,
  });
  for (const [key, r] of Object.entries(results))
    console.log(
      `${key.padEnd(36)} wall ${r.spawn.mean.toFixed(1)} ± ${r.spawn.sd.toFixed(1)} ms (median ${r.spawn.p50.toFixed(1)})  delta median ${r.deltaSpawn.p50.toFixed(1)} ms   cpu median ${r.cpu.p50.toFixed(1)} ms, delta ${r.deltaCpu.p50.toFixed(1)} ms`,
    );
}

// ------------------------------------------------------------------ events

const fixture = (path: string): Json => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as Json;

/** A fresh copy of `event` with every occurrence of `from` replaced (distinct resources). */
function renamed(event: Json, from: string, to: string): Json {
  return JSON.parse(JSON.stringify(event).split(from).join(to)) as Json;
}

export interface Scenario {
  readonly name: string;
  readonly fn: (typeof EVENT_FUNCTIONS)[number];
  readonly describe: string;
  readonly event: (i: number) => Json;
}

const createService = fixture('events/cloudtrail-create-service-assign-public-ip.json');
const compliantTd = fixture('events/compliant/cloudtrail-register-task-definition-compliant-fargate.json');
const privilegedTd = fixture('events/cloudtrail-register-task-definition-privileged.json');
const updateService = fixture('test/fixtures/events/cloudtrail-update-service-assign-public-ip.json');
const runTask = fixture('events/cloudtrail-run-task-public-ip-with-overrides.json');
const instance = fixture('events/ecs-container-instance-state-change-active.json');
const stoppedTask = fixture(
  'test/fixtures/events/ecs-task-state-change-stopped-essential-container-exited.json',
);
const throttled = fixture('events/ecs-service-action-operation-throttled.json');

function cloudTrail(base: Json, i: number, rename?: [string, string]): Json {
  const e = rename ? renamed(base, rename[0], rename[1]) : (JSON.parse(JSON.stringify(base)) as Json);
  e.id = `bench-${i}-${Math.random().toString(36).slice(2)}`;
  e.detail.eventID = `bench-${process.pid}-${i}-${Math.random().toString(36).slice(2)}`;
  return e;
}

export const SCENARIOS: Scenario[] = [
  {
    name: 'cloudtrail-new-finding',
    fn: 'cloudtrail-api-call',
    describe:
      'CreateService with a public IP, a new service each event: 1 new finding, recorded and queued (SQS)',
    event: (i) => cloudTrail(createService, i, ['checkout-api', `checkout-api-${process.pid}-${i}`]),
  },
  {
    name: 'cloudtrail-no-finding',
    fn: 'cloudtrail-api-call',
    describe: 'RegisterTaskDefinition, compliant: idempotency record only',
    event: (i) => cloudTrail(compliantTd, i),
  },
  {
    name: 'ecs-new-finding',
    fn: 'ecs-state-change',
    describe: 'Container Instance State Change, a new instance each event: 1 new finding, queued',
    event: (i) => {
      const e = renamed(instance, 'b54a2a04-046f-4331-9d74-3f6d7f6ca315', `b54a2a04-${process.pid}-${i}`);
      e.id = `bench-${i}`;
      return e;
    },
  },
  {
    name: 'throttling-window',
    fn: 'throttling',
    describe:
      'ECS_OPERATION_THROTTLED of one service: window counter, the open finding counted (queued once)',
    event: (i) => {
      const e = JSON.parse(JSON.stringify(throttled)) as Json;
      e.id = `bench-${process.pid}-${i}`;
      return e;
    },
  },
];

/** The replay mix for cloudtrail-api-call: new findings, sightings of open ones, compliant calls. */
function replayEvent(i: number): Json {
  switch (i % 5) {
    case 0:
      return cloudTrail(createService, i, ['checkout-api', `svc-${i % 500}`]);
    case 1:
      return cloudTrail(privilegedTd, i, ['node-exporter', `exporter-${i % 200}`]);
    case 2:
      return cloudTrail(compliantTd, i);
    case 3:
      return cloudTrail(updateService, i);
    default:
      return cloudTrail(runTask, i);
  }
}
function replayEcsEvent(i: number): Json {
  if (i % 2 === 0) {
    const e = renamed(instance, 'b54a2a04-046f-4331-9d74-3f6d7f6ca315', `inst-${i % 300}`);
    e.id = `r-${i}`;
    e.detail.version = i;
    return e;
  }
  const e = JSON.parse(JSON.stringify(stoppedTask)) as Json;
  e.id = `r-${i}`;
  e.detail.version = 100_000 + i;
  return e;
}

// ------------------------------------------------------------------ handlers against moto

const context = (fn: string) => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: fn,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${fn}`,
  memoryLimitInMB: '256',
  awsRequestId: 'bench',
  logGroupName: `/aws/lambda/${fn}`,
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

interface Backend {
  readonly moto: MotoServer;
  readonly proxy?: TimingProxy;
  readonly queueUrl: string;
  readonly sqs: SQSClient;
  readonly env: Record<string, string>;
  /** Round trip of one GetItem to moto (what every DynamoDB call of the handler costs at least). */
  getItemMs(): Promise<number>;
  purge(): Promise<void>;
}

/**
 * A loopback proxy in front of moto that times every AWS call (upstream request to response end), by
 * operation (`x-amz-target`: DynamoDB and SQS both use it), so per event the time spent in AWS calls can
 * be told from the time spent in the handler. The proxy's own forwarding cost (well under 1 ms a call)
 * lands on the handler's side.
 */
interface TimingProxy {
  readonly endpoint: string;
  /** The calls since the last take. */
  take(): { op: string; ms: number }[];
  close(): Promise<void>;
}

async function startTimingProxy(target: string): Promise<TimingProxy> {
  const { createServer, request } = await import('node:http');
  const up = new URL(target);
  let calls: { op: string; ms: number }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const op = String(req.headers['x-amz-target'] ?? `${req.method} ${req.url}`);
      const t0 = process.hrtime.bigint();
      const r = request(
        { host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers },
        (ur) => {
          const body: Buffer[] = [];
          ur.on('data', (c: Buffer) => body.push(c));
          ur.on('end', () => {
            calls.push({ op, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
            const payload = Buffer.concat(body);
            const headers = { ...ur.headers, 'content-length': String(payload.length) };
            delete headers['transfer-encoding'];
            res.writeHead(ur.statusCode ?? 502, headers);
            res.end(payload);
          });
        },
      );
      r.on('error', () => {
        res.writeHead(502);
        res.end();
      });
      r.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    take: () => {
      const out = calls;
      calls = [];
      return out;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function startBackend(
  table: string,
  proxy?: (target: string) => Promise<TimingProxy>,
): Promise<Backend> {
  const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const { CreateQueueCommand, PurgeQueueCommand, SQSClient } = await import('@aws-sdk/client-sqs');
  const { createStateTable } = await import('../scripts/local/state-table');
  const moto = await startMotoServer();
  // With a proxy, everything (the queue URL included: moto builds it from the Host) goes through it.
  const front = proxy ? await proxy(moto.endpoint) : undefined;
  const endpoint = front?.endpoint ?? moto.endpoint;
  const config = {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 1,
  };
  const ddb = new DynamoDBClient(config);
  await createStateTable(ddb, table);
  const sqs = new SQSClient(config);
  const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'bench-outbox' }))).QueueUrl!;
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_MAX_ATTEMPTS: '1',
    GUARDRAIL_TABLE: table,
    GUARDRAIL_OUTBOX_QUEUE_URL: queueUrl,
    // The packaged policy (JSON) next to the handler, as on Lambda; the YAML for older packages.
    GUARDRAIL_POLICY_FILE: existsSync(join(OUT, 'ecs-state-change', 'guardrail.policy.json'))
      ? join(OUT, 'ecs-state-change', 'guardrail.policy.json')
      : join(ROOT, 'guardrail.policy.yml'),
    GUARDRAIL_ENRICH: 'false',
    POWERTOOLS_SERVICE_NAME: 'ecs-guardrail',
    POWERTOOLS_METRICS_NAMESPACE: 'EcsGuardrail',
  };
  Object.assign(process.env, env);
  return {
    moto,
    ...(front ? { proxy: front } : {}),
    queueUrl,
    sqs,
    env,
    getItemMs: async () => {
      const t = process.hrtime.bigint();
      await ddb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'x' }, sk: { S: 'x' } } }));
      return Number(process.hrtime.bigint() - t) / 1e6;
    },
    purge: async () => {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    },
  };
}

type Handler = (event: unknown, context: unknown) => Promise<Json>;

async function loadHandler(fn: Fn): Promise<Handler> {
  // The bundle from the zip, loaded as the Lambda runtime loads it (import for .mjs, require for .js).
  const file = bundlePath(fn);
  if (file.endsWith('.js'))
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return (require(file) as { handler: Handler }).handler;
  return ((await import(pathToFileURL(file).href)) as { handler: Handler }).handler;
}

/** Powertools logs and EMF lines go to stdout (CloudWatch on Lambda): dropped here, not timed apart. */
function silenceStdout(): () => void {
  const w = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  return () => {
    process.stdout.write = w;
  };
}

async function measureLatency(): Promise<void> {
  const events = arg('events', 500);
  const warmup = arg('warmup', 30);
  const backend = await startBackend('bench-latency', startTimingProxy);
  const proxy = backend.proxy!;
  const results: Json = {};
  try {
    const rtt: number[] = [];
    for (let i = 0; i < 20; i++) await backend.getItemMs();
    for (let i = 0; i < 200; i++) rtt.push(await backend.getItemMs());
    results['moto-getitem-round-trip'] = {
      describe: 'one DynamoDB GetItem to moto_server from a warm SDK client (no handler): the emulator floor',
      ms: stats(rtt),
    };
    console.log(`moto GetItem round trip   ${JSON.stringify(results['moto-getitem-round-trip'].ms)}`);
    for (const sc of SCENARIOS) {
      const handler = await loadHandler(sc.fn);
      const ctx = context(sc.fn);
      const restore = silenceStdout();
      const times: number[] = [];
      const inAws: number[] = [];
      const own: number[] = [];
      const callsPerEvent: number[] = [];
      const byOp = new Map<string, number[]>();
      const queued: number[] = [];
      try {
        for (let i = 0; i < warmup; i++) await handler(sc.event(-1 - i), ctx);
        proxy.take();
        for (let i = 0; i < events; i++) {
          const e = sc.event(i);
          const t = process.hrtime.bigint();
          const summary = await handler(e, ctx);
          const total = Number(process.hrtime.bigint() - t) / 1e6;
          const calls = proxy.take();
          const aws = calls.reduce((n, c) => n + c.ms, 0);
          times.push(total);
          inAws.push(aws);
          own.push(total - aws);
          callsPerEvent.push(calls.length);
          for (const c of calls) byOp.set(c.op, [...(byOp.get(c.op) ?? []), c.ms]);
          queued.push(Number(summary.queued ?? 0));
        }
      } finally {
        restore();
      }
      await backend.purge();
      results[sc.name] = {
        function: sc.fn,
        describe: sc.describe,
        queuedPerEvent: queued.reduce((a, b) => a + b, 0) / queued.length,
        awsCallsPerEvent: callsPerEvent.reduce((a, b) => a + b, 0) / callsPerEvent.length,
        ms: stats(times),
        inAwsCallsMs: stats(inAws),
        inHandlerMs: stats(own),
        byOperation: Object.fromEntries(
          [...byOp].map(([op, xs]) => [op, { perEvent: xs.length / events, ms: stats(xs) }]),
        ),
      };
      const r = results[sc.name];
      console.log(
        `${sc.name.padEnd(24)} total p50 ${r.ms.p50} p99 ${r.ms.p99} | in AWS calls p50 ${r.inAwsCallsMs.p50} | handler p50 ${r.inHandlerMs.p50} p99 ${r.inHandlerMs.p99} | ${r.awsCallsPerEvent} calls/event`,
      );
    }
  } finally {
    await proxy.close();
    await backend.moto.stop();
  }
  save('latency', { machine: machine(), events, warmup, results });
}

/** The replay child: only the handler bundle is loaded; the backend comes from the parent's environment. */
async function replayChild(fn: Fn, events: number): Promise<void> {
  const rssStart = process.memoryUsage().rss;
  const handler = await loadHandler(fn);
  const rssLoaded = process.memoryUsage().rss;
  const ctx = context(fn);
  const samples: Json[] = [];
  const mib = (x: number) => Math.round((x / 2 ** 20) * 10) / 10;
  let findings = 0;
  let queued = 0;
  let failed = 0;
  const started = Date.now();
  const restore = silenceStdout();
  try {
    for (let i = 0; i < events; i++) {
      const e = fn === 'ecs-state-change' ? replayEcsEvent(i) : replayEvent(i);
      try {
        const s = await handler(e, ctx);
        findings += Number(s.findings ?? 0);
        queued += Number(s.queued ?? 0);
      } catch {
        failed++;
      }
      if (i % 250 === 0 || i === events - 1) {
        const m = process.memoryUsage();
        samples.push({
          event: i,
          rssMiB: mib(m.rss),
          heapTotalMiB: mib(m.heapTotal),
          heapUsedMiB: mib(m.heapUsed),
          externalMiB: mib(m.external),
        });
      }
    }
  } finally {
    restore();
  }
  process.stdout.write(
    JSON.stringify({
      function: fn,
      events,
      seconds: (Date.now() - started) / 1000,
      findings,
      queued,
      failed,
      rssAtStartMiB: rssStart / 2 ** 20,
      rssAfterLoadMiB: rssLoaded / 2 ** 20,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      samples,
    }),
  );
}

async function replay(): Promise<void> {
  const events = arg('events', 10_000);
  const fn = (flag('fn') ?? 'cloudtrail-api-call') as Fn;
  if (process.env.BENCH_REPLAY_CHILD === '1') return replayChild(fn, events);
  const backend = await startBackend(`bench-replay-${fn}`);
  try {
    // Not spawnSync: this event loop must keep draining moto_server's output while the child runs.
    const child = spawn(
      process.execPath,
      [process.argv[1]!, 'replay', '--fn', fn, '--events', String(events)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          PATH: process.env.PATH,
          NODE_NO_WARNINGS: '1',
          BENCH_REPLAY_CHILD: '1',
          ...backend.env,
          ...(flag('node-options') ? { NODE_OPTIONS: flag('node-options') } : {}),
        },
      },
    );
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    const code = await new Promise<number | null>((res) => child.once('exit', res));
    if (code !== 0) throw new Error(`replay child failed (exit ${code})`);
    const result: Json = { machine: machine(), ...(JSON.parse(stdout) as Json) };
    if (flag('node-options')) result.nodeOptions = flag('node-options');
    save(flag('save') ?? `replay-${fn}`, result);
    console.log(JSON.stringify({ ...result, samples: `${result.samples.length} samples` }, null, 2));
  } finally {
    await backend.moto.stop();
  }
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const cmd = process.argv[2];
  switch (cmd) {
    case 'package':
      return runPackage();
    case 'variants':
      return buildVariants();
    case 'load':
      return measureLoad();
    case 'latency':
      return measureLatency();
    case 'replay':
      return replay();
    default:
      throw new Error('usage: bench-lambda package|variants|load|latency|replay [options]');
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
