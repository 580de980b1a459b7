/**
 * Organization sweep benchmark (issue 10): 20 (account, region) pairs in moto_server (10 member accounts
 * of an organization x 2 regions, the seeded estate of test/helpers/seed-estate.ts in each pair), swept
 * through the read role (STS AssumeRole per account) at pair concurrency 1, 4 and 8, each run cold (new
 * clients, an empty task definition cache, an empty store) and timed, with AWS calls counted per API by
 * SDK middleware; then one repeated run at the highest concurrency with the cache of the previous run.
 * Run with `npm run bench:org` (scripts/bench-org-sweep.mjs bundles this file).
 *
 *   --accounts N       member accounts (default 10)
 *   --regions R1,R2    regions (default us-east-1,eu-west-1)
 *   --levels 1,4,8     pair concurrencies to compare (default 1,4,8)
 *   --repeat N         runs per level, the median is reported (default 3)
 *   --write FILE       also write the results as Markdown (machine, date, command, numbers)
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { parseArgs } from 'node:util';
import { STSClient } from '@aws-sdk/client-sts';
import { CrossAccountCredentials } from '../shared/aws/credentials';
import { DEFAULT_POLICY } from '../shared/policy/load';
import { MemoryFindingStore } from '../shared/store/memory-store';
import { MemoryTaskDefinitionCache } from '../shared/store/td-cache';
import { SweepClientPool } from '../shared/sweep/clients';
import { sweepOrganization, type PairOutcome } from '../shared/sweep/organization';
import { motoClientConfig, startMoto } from '../test/helpers/moto';
import { createOrgEstate, READ_ROLE } from '../test/helpers/org-estate';

const { values: opts } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10' },
    regions: { type: 'string', default: 'us-east-1,eu-west-1' },
    levels: { type: 'string', default: '1,4,8' },
    repeat: { type: 'string', default: '3' },
    write: { type: 'string' },
  },
});
const ACCOUNTS = Number(opts.accounts);
const REGIONS = opts.regions.split(',');
const LEVELS = opts.levels.split(',').map(Number);
const REPEAT = Number(opts.repeat);
const log = (s: string) => process.stderr.write(`${s}\n`);

interface RunResult {
  readonly label: string;
  readonly wallMs: number;
  readonly assumeRole: number;
  readonly calls: Map<string, number>;
  readonly findings: number;
  readonly complete: number;
  readonly pairs: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const moto = await startMoto();
  // The production client configuration (shared/sweep/clients.ts) takes its endpoint from here, as the
  // tests do: nothing else points the sweep at moto.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: 'us-east-1',
  });
  try {
    await moto.setTransition('ecs::task', { progression: 'manual', times: 1_000_000 });
    const seedStart = Date.now();
    const org = await createOrgEstate(moto, {
      members: Array.from({ length: ACCOUNTS }, (_, i) => ({
        name: `member-${i + 1}`,
        ou: i % 2 ? 'dev' : 'prod',
      })),
      regions: REGIONS,
    });
    const seedMs = Date.now() - seedStart;
    const pairs = org.members.flatMap((m) => REGIONS.map((region) => ({ account: m.id, region })));
    log(`seeded ${pairs.length} pairs in ${(seedMs / 1000).toFixed(1)} s`);

    const sweep = async (label: string, concurrency: number, cache = new MemoryTaskDefinitionCache()) => {
      const credentials = new CrossAccountCredentials({
        sts: new STSClient(motoClientConfig(moto)),
        roleName: READ_ROLE,
        sessionName: 'ecs-guardrail-sweep',
      });
      // Production client configuration (sweep retry profile); moto answers every call.
      const pool = new SweepClientPool({ credentials });
      const t0 = performance.now();
      const outcomes: PairOutcome[] = await sweepOrganization(pairs, {
        pool,
        roleName: READ_ROLE,
        policy: DEFAULT_POLICY,
        store: new MemoryFindingStore(),
        cache,
        pairConcurrency: concurrency,
      });
      const wallMs = performance.now() - t0;
      const calls = new Map<string, number>();
      for (const p of pairs) {
        const { counter } = await pool.get(p.account, p.region);
        for (const [k, v] of counter.calls) calls.set(k, (calls.get(k) ?? 0) + v);
      }
      const r: RunResult = {
        label,
        wallMs,
        assumeRole: credentials.assumeRoleCalls,
        calls,
        findings: outcomes.reduce((n, o) => n + o.findings, 0),
        complete: outcomes.filter((o) => o.status === 'complete').length,
        pairs: outcomes.length,
      };
      log(
        `${label}: ${(wallMs / 1000).toFixed(2)} s, ${r.complete}/${r.pairs} complete, ${r.findings} findings`,
      );
      return { r, cache };
    };

    // Warm-up (SDK loading, moto's first calls per service and region) is not measured.
    await sweep('warm-up', 8);
    const results: RunResult[] = [];
    for (const level of LEVELS) {
      const runs: RunResult[] = [];
      for (let i = 0; i < REPEAT; i++)
        runs.push((await sweep(`concurrency ${level} (run ${i + 1})`, level)).r);
      const mid = median(runs.map((x) => x.wallMs));
      results.push({ ...runs.find((x) => x.wallMs === mid)!, label: `concurrency ${level}` });
    }
    const top = Math.max(...LEVELS);
    const { cache } = await sweep(`cache fill`, top);
    const repeated = (await sweep(`concurrency ${top}, repeated (task definition cache kept)`, top, cache)).r;
    results.push(repeated);

    const base = results[0]!;
    const total = (r: RunResult) => [...r.calls.values()].reduce((a, b) => a + b, 0) + r.assumeRole;
    const apis = [...new Set(results.flatMap((r) => [...r.calls.keys()]))].sort();
    const cpu = cpus();
    const md = [
      `Machine: ${cpu[0]?.model ?? 'unknown'} (${cpu.length} logical CPUs), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}; Node ${process.version}; moto_server on 127.0.0.1 (one Python process serves every call).`,
      `Load average when the runs ended (1/5/15 min): ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')}.`,
      `Date: ${new Date().toISOString()}`,
      `Command: \`npm run bench:org\` (\`node scripts/bench-org-sweep.mjs --accounts ${ACCOUNTS} --regions ${REGIONS.join(',')} --levels ${LEVELS.join(',')} --repeat ${REPEAT}\`)`,
      '',
      `Organization: ${ACCOUNTS} member accounts x ${REGIONS.length} regions = ${pairs.length} (account, region) pairs, each with the seeded estate of test/helpers/seed-estate.ts (2 clusters, 4 services, 1 task set, 2 running tasks, 1 container instance, 4 task definition revisions, 12 findings). Seeding took ${(seedMs / 1000).toFixed(1)} s and is not measured. Each run is cold: new clients (one AssumeRole per account), an empty task definition cache and store; per pair 4 AWS calls in flight at most. Wall time: median of ${REPEAT} runs.`,
      '',
      '| Run | Wall time | Ratio to concurrency 1 | AWS calls (incl. AssumeRole) | AssumeRole | DescribeTaskDefinition | Pairs complete | Findings |',
      '| --- | --------: | ---------------------: | ---------------------------: | ---------: | ---------------------: | -------------: | -------: |',
      ...results.map(
        (r) =>
          `| ${r.label} | ${(r.wallMs / 1000).toFixed(2)} s | ${(r.wallMs / base.wallMs).toFixed(2)} | ${total(r)} | ${r.assumeRole} | ${r.calls.get('ecs:DescribeTaskDefinition') ?? 0} | ${r.complete}/${r.pairs} | ${r.findings} |`,
      ),
      '',
      'AWS calls by API (logical calls, counted by SDK middleware):',
      '',
      `| API | ${results.map((r) => r.label).join(' | ')} |`,
      `| --- | ${results.map(() => '--:').join(' | ')} |`,
      ...apis.map((api) => `| \`${api}\` | ${results.map((r) => r.calls.get(api) ?? 0).join(' | ')} |`),
      `| \`sts:AssumeRole\` | ${results.map((r) => r.assumeRole).join(' | ')} |`,
    ].join('\n');
    process.stdout.write(`${md}\n`);
    if (opts.write) writeFileSync(opts.write, `${md}\n`);
  } finally {
    await moto.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
