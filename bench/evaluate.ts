/**
 * Engine benchmark (the targets in BENCHMARKS.md): raw event JSON -> findings, next to JSON.parse alone on the same
 * corpus of serialized events. Run through `npm run bench` (scripts/run-bench.mjs bundles this file with
 * esbuild and runs it under plain node), never as a timed test.
 *
 * Modes of this one bundle:
 *   (default)            measure: one run, writes --out (JSON) and prints a table
 *   --replay             stream a corpus once through the engine and report peak RSS (memory target)
 *   --aggregate a.json.. median of several runs + the replay: the final table and results.json
 *
 * Options: --events N (10000), --seed N (42), --seconds S (12), --min-rounds N (5), --out FILE;
 * profiling aids: --types a,b (keep only these event types), --modes parse,e2e,sync (only these modes,
 * nothing written), --brief (one line per run, for interleaved A/B runs of two bundles).
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as os from 'node:os';
import { corpusStream, generateCorpus, MIX, SIZE_CLASSES, TD_MIX, type CorpusEvent } from './corpus';
import { evaluateRaw, type EngineDeps } from '../shared/engine/run';
import { evaluate } from '../shared/engine/evaluate';
import { MemoryWindowCounter } from '../shared/engine/windows';
import { normalize } from '../shared/events/normalize';
import { parseEvent } from '../shared/events/parse';
import { DEFAULT_POLICY } from '../shared/policy/load';

export const TARGETS = { eventsPerSec: 50_000, maxRatioToJsonParse: 3, replayPeakRssMb: 128 } as const;

// ------------------------------------------------------------------ arguments

interface Args {
  mode: 'measure' | 'replay' | 'aggregate';
  events: number;
  seed: number;
  seconds: number;
  minRounds: number;
  out?: string;
  inputs: string[];
  replay?: string;
  command?: string;
  /** Profiling aids: keep only these event types / measure only these modes. */
  types?: string[];
  modes?: ModeName[];
  /** One line per run (for A/B comparisons of two bundles). */
  brief?: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = { mode: 'measure', events: 10_000, seed: 42, seconds: 12, minRounds: 5, inputs: [] };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${k} needs a value`);
      return v;
    };
    if (k === '--replay') a.mode = 'replay';
    else if (k === '--aggregate') a.mode = 'aggregate';
    else if (k === '--events') a.events = Number(next());
    else if (k === '--seed') a.seed = Number(next());
    else if (k === '--seconds') a.seconds = Number(next());
    else if (k === '--min-rounds') a.minRounds = Number(next());
    else if (k === '--out') a.out = next();
    else if (k === '--replay-result') a.replay = next();
    else if (k === '--command') a.command = next();
    else if (k === '--types') a.types = next().split(',');
    else if (k === '--brief') a.brief = true;
    else if (k === '--modes') a.modes = next().split(',') as ModeName[];
    else if (k.startsWith('--')) throw new Error(`unknown option ${k}`);
    else a.inputs.push(k);
  }
  return a;
}

// ------------------------------------------------------------------ statistics

interface Stats {
  /** Events per second (count / time spent in the measured brackets). */
  eventsPerSec: number;
  meanUs: number;
  p50Us: number;
  p90Us: number;
  p99Us: number;
  maxUs: number;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

/** Stats over per-event samples (µs); `totalUs` is the summed time of those samples. */
function statsOf(samples: Float64Array): Stats {
  const s = Float64Array.from(samples).sort();
  let total = 0;
  for (const x of s) total += x;
  return {
    eventsPerSec: s.length / (total / 1e6),
    meanUs: total / s.length,
    p50Us: percentile(s, 50),
    p90Us: percentile(s, 90),
    p99Us: percentile(s, 99),
    maxUs: s[s.length - 1] ?? NaN,
  };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// ------------------------------------------------------------------ measured modes

type ModeName = 'parse' | 'e2e' | 'sync';
const MODE_LABEL: Record<ModeName, string> = {
  parse: 'JSON.parse alone',
  e2e: 'JSON.parse + evaluateRaw (end to end)',
  sync: 'JSON.parse + parseEvent/normalize/evaluate (sync part)',
};

let sink = 0;

/**
 * One pass of a mode over the corpus, each event timed on its own. Returns the pass wall time and the
 * process CPU time (ms): on a shared machine the CPU time is not inflated by waiting for a core.
 */
async function pass(
  mode: ModeName,
  strs: readonly string[],
  out: Float64Array,
  offset: number,
): Promise<{ wallMs: number; cpuMs: number }> {
  const n = strs.length;
  const hr = process.hrtime.bigint;
  const cpu0 = process.cpuUsage();
  const start = hr();
  if (mode === 'parse') {
    for (let i = 0; i < n; i++) {
      const t0 = hr();
      const v = JSON.parse(strs[i]!) as { id?: string };
      const t1 = hr();
      if (v.id !== undefined) sink++;
      out[offset + i] = Number(t1 - t0) / 1e3;
    }
  } else if (mode === 'e2e') {
    // A fresh counter per pass: every pass is the same replay.
    const deps: EngineDeps = { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() };
    for (let i = 0; i < n; i++) {
      const t0 = hr();
      const r = await evaluateRaw(JSON.parse(strs[i]!), deps);
      const t1 = hr();
      sink += r.findings.length;
      out[offset + i] = Number(t1 - t0) / 1e3;
    }
  } else {
    const opts = { policy: DEFAULT_POLICY };
    for (let i = 0; i < n; i++) {
      const t0 = hr();
      const r = evaluate(normalize(parseEvent(JSON.parse(strs[i]!))), { ...opts, now: new Date() });
      const t1 = hr();
      sink += r.findings.length + r.windowed.length;
      out[offset + i] = Number(t1 - t0) / 1e3;
    }
  }
  const wallMs = Number(hr() - start) / 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

// ------------------------------------------------------------------ corpus description

interface Bucket {
  name: string;
  count: number;
  bytes: number;
}

function describeCorpus(corpus: readonly CorpusEvent[]): {
  events: number;
  bytes: number;
  meanBytes: number;
  medianBytes: number;
  minBytes: number;
  maxBytes: number;
  compliantShare: number;
  byType: (Bucket & { variants: Record<string, number> })[];
  byClass: Bucket[];
} {
  const byType = new Map<string, Bucket & { variants: Record<string, number> }>();
  const byClass = new Map<string, Bucket>(
    SIZE_CLASSES.map((c) => [c.name, { name: c.name, count: 0, bytes: 0 }]),
  );
  let bytes = 0;
  let compliant = 0;
  for (const e of corpus) {
    bytes += e.bytes;
    if (e.compliant) compliant++;
    const t = byType.get(e.type) ?? { name: e.type, count: 0, bytes: 0, variants: {} };
    t.count++;
    t.bytes += e.bytes;
    t.variants[e.variant] = (t.variants[e.variant] ?? 0) + 1;
    byType.set(e.type, t);
    const c = byClass.get(e.sizeClass) ?? { name: e.sizeClass, count: 0, bytes: 0 };
    c.count++;
    c.bytes += e.bytes;
    byClass.set(e.sizeClass, c);
  }
  const sizes = corpus.map((e) => e.bytes);
  return {
    events: corpus.length,
    bytes,
    meanBytes: bytes / corpus.length,
    medianBytes: median(sizes),
    minBytes: Math.min(...sizes),
    maxBytes: Math.max(...sizes),
    compliantShare: compliant / corpus.length,
    byType: MIX.map(([t]) => byType.get(t)).filter((x): x is NonNullable<typeof x> => !!x),
    byClass: [...byClass.values()].filter((c) => c.count > 0),
  };
}

/** Evaluate every event once: no event may be rejected, and the findings show the corpus does real work. */
async function verify(corpus: readonly CorpusEvent[]): Promise<{
  findings: number;
  eventsWithFindings: number;
  incomplete: number;
  invalid: number;
  byRule: Record<string, number>;
}> {
  const deps: EngineDeps = { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() };
  const byRule: Record<string, number> = {};
  let findings = 0;
  let withFindings = 0;
  let incomplete = 0;
  let invalid = 0;
  for (const e of corpus) {
    try {
      const r = await evaluateRaw(JSON.parse(e.json), deps);
      findings += r.findings.length;
      if (r.findings.length) withFindings++;
      if (r.incomplete) incomplete++;
      for (const f of r.findings) byRule[f.ruleId] = (byRule[f.ruleId] ?? 0) + 1;
    } catch (err) {
      invalid++;
      if (invalid <= 3)
        console.error(`bench: corpus event rejected (${e.type}/${e.variant}): ${String(err)}`);
    }
  }
  return { findings, eventsWithFindings: withFindings, incomplete, invalid, byRule };
}

// ------------------------------------------------------------------ result shapes

interface ClassResult {
  name: string;
  count: number;
  meanBytes: number;
  parse: Stats;
  e2e: Stats;
  sync: Stats;
  /** e2e time / JSON.parse time over the events of the class. */
  ratio: number;
  /** As `RunResult.minEventsPerSec` / `minRatio`, over the events of the class. */
  minEventsPerSec: { parse: number; e2e: number };
  minRatio: number;
}

interface RunResult {
  kind: 'run';
  meta: Record<string, unknown>;
  corpus: ReturnType<typeof describeCorpus>;
  verification: Awaited<ReturnType<typeof verify>>;
  rounds: number;
  /** Median over rounds of the pass wall time: events / (wall seconds of one pass). */
  wallEventsPerSec: Record<ModeName, number>;
  /** Median over rounds of the pass's process CPU time (user + system, all threads incl. GC). */
  cpuEventsPerSec: Record<ModeName, number>;
  /** e2e / parse from the CPU times of the passes. */
  cpuRatio: number;
  overall: Record<ModeName, Stats>;
  /** e2e / parse, summed per-event time (all rounds). */
  ratio: number;
  /**
   * Robust to a shared machine: each event's fastest time over the rounds, summed. Preemption and
   * other processes' cache pressure only ever add time, so the per-event minimum filters them out.
   */
  minEventsPerSec: Record<ModeName, number>;
  minRatio: number;
  minSyncRatio: number;
  syncRatio: number;
  classes: ClassResult[];
  byType: {
    name: string;
    count: number;
    parseMeanUs: number;
    e2eMeanUs: number;
    ratio: number;
    /** Mean over the events of the type of each event's fastest time. */
    parseMinMeanUs: number;
    e2eMinMeanUs: number;
    minRatio: number;
  }[];
  maxRssMb: number;
  cpuPerWall: number;
}

interface ReplayResult {
  kind: 'replay';
  events: number;
  findings: number;
  seconds: number;
  maxRssMb: number;
  rssAfterLoadMb: number;
}

// ------------------------------------------------------------------ measure

function machine(): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    logicalCpus: cpus.length,
    totalMemGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
  };
}

async function measure(a: Args): Promise<RunResult> {
  const tGen = Date.now();
  const corpus = generateCorpus({ seed: a.seed, count: a.events }).filter(
    (e) => !a.types || a.types.includes(e.type),
  );
  const strs = corpus.map((e) => e.json);
  const n = strs.length;
  const genMs = Date.now() - tGen;
  const description = describeCorpus(corpus);
  const verification = await verify(corpus);
  if (verification.invalid)
    throw new Error(`${verification.invalid} corpus events were rejected: fix the generator`);

  const modes: ModeName[] = a.modes ?? ['parse', 'e2e', 'sync'];
  if (a.modes) return profileOnly(strs, modes, a);
  const maxRounds = 100;
  const samples: Record<ModeName, Float64Array> = {
    parse: new Float64Array(n * maxRounds),
    e2e: new Float64Array(n * maxRounds),
    sync: new Float64Array(n * maxRounds),
  };
  const walls: Record<ModeName, number[]> = { parse: [], e2e: [], sync: [] };
  const cpus: Record<ModeName, number[]> = { parse: [], e2e: [], sync: [] };

  // Warm-up: every mode until 3 passes each and at least 2 s (lets V8 tier up the hot paths).
  const scratch = new Float64Array(n);
  const tw = Date.now();
  for (let k = 0; k < 3 || Date.now() - tw < 2000; k++)
    for (const m of modes) await pass(m, strs, scratch, 0);

  const load0 = os.loadavg();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  let rounds = 0;
  while (rounds < maxRounds && (rounds < a.minRounds || Date.now() - t0 < a.seconds * 1000)) {
    // Rotate the order so no mode always runs right after another's garbage.
    for (let j = 0; j < modes.length; j++) {
      const m = modes[(rounds + j) % modes.length]!;
      const t = await pass(m, strs, samples[m], rounds * n);
      walls[m].push(t.wallMs);
      cpus[m].push(t.cpuMs);
    }
    rounds++;
  }
  const wallMs = Date.now() - t0;
  const cpu = process.cpuUsage(cpu0);

  const used = (m: ModeName): Float64Array => samples[m].subarray(0, rounds * n);
  const overall = { parse: statsOf(used('parse')), e2e: statsOf(used('e2e')), sync: statsOf(used('sync')) };
  const sum = (m: ModeName, idx: readonly number[]): number => {
    let s = 0;
    for (let r = 0; r < rounds; r++) for (const i of idx) s += samples[m][r * n + i]!;
    return s;
  };
  const pick = (m: ModeName, idx: readonly number[]): Float64Array => {
    const out = new Float64Array(idx.length * rounds);
    let k = 0;
    for (let r = 0; r < rounds; r++) for (const i of idx) out[k++] = samples[m][r * n + i]!;
    return out;
  };
  const all = [...Array(n).keys()];
  const minSum = (m: ModeName, idx: readonly number[] = all): number => {
    let s = 0;
    for (const i of idx) {
      let best = Infinity;
      for (let r = 0; r < rounds; r++) best = Math.min(best, samples[m][r * n + i]!);
      s += best;
    }
    return s;
  };
  const groupIdx = (key: (e: CorpusEvent) => string): Map<string, number[]> => {
    const g = new Map<string, number[]>();
    corpus.forEach((e, i) => {
      const list = g.get(key(e)) ?? [];
      list.push(i);
      g.set(key(e), list);
    });
    return g;
  };
  const classIdx = groupIdx((e) => e.sizeClass);
  const classes: ClassResult[] = SIZE_CLASSES.filter((c) => classIdx.has(c.name)).map((c) => {
    const idx = classIdx.get(c.name)!;
    return {
      name: c.name,
      count: idx.length,
      meanBytes: idx.reduce((s, i) => s + corpus[i]!.bytes, 0) / idx.length,
      parse: statsOf(pick('parse', idx)),
      e2e: statsOf(pick('e2e', idx)),
      sync: statsOf(pick('sync', idx)),
      ratio: sum('e2e', idx) / sum('parse', idx),
      minEventsPerSec: {
        parse: idx.length / (minSum('parse', idx) / 1e6),
        e2e: idx.length / (minSum('e2e', idx) / 1e6),
      },
      minRatio: minSum('e2e', idx) / minSum('parse', idx),
    };
  });
  const typeIdx = groupIdx((e) => e.type);
  const byType = MIX.filter(([t]) => typeIdx.has(t)).map(([t]) => {
    const idx = typeIdx.get(t)!;
    const p = sum('parse', idx) / (idx.length * rounds);
    const e = sum('e2e', idx) / (idx.length * rounds);
    const pm = minSum('parse', idx) / idx.length;
    const em = minSum('e2e', idx) / idx.length;
    return {
      name: t,
      count: idx.length,
      parseMeanUs: p,
      e2eMeanUs: e,
      ratio: e / p,
      parseMinMeanUs: pm,
      e2eMinMeanUs: em,
      minRatio: em / pm,
    };
  });

  return {
    kind: 'run',
    meta: {
      date: new Date().toISOString(),
      ...machine(),
      seed: a.seed,
      events: n,
      corpusGenerationMs: genMs,
      measuredSeconds: wallMs / 1000,
      loadavgBefore: load0.map((x) => Math.round(x * 100) / 100),
      loadavgAfter: os.loadavg().map((x) => Math.round(x * 100) / 100),
      sink,
    },
    corpus: description,
    verification,
    rounds,
    wallEventsPerSec: {
      parse: n / (median(walls.parse) / 1000),
      e2e: n / (median(walls.e2e) / 1000),
      sync: n / (median(walls.sync) / 1000),
    },
    cpuEventsPerSec: {
      parse: n / (median(cpus.parse) / 1000),
      e2e: n / (median(cpus.e2e) / 1000),
      sync: n / (median(cpus.sync) / 1000),
    },
    cpuRatio: cpus.e2e.reduce((x, y) => x + y, 0) / cpus.parse.reduce((x, y) => x + y, 0),
    overall,
    ratio: sum('e2e', all) / sum('parse', all),
    minEventsPerSec: {
      parse: n / (minSum('parse') / 1e6),
      e2e: n / (minSum('e2e') / 1e6),
      sync: n / (minSum('sync') / 1e6),
    },
    minRatio: minSum('e2e') / minSum('parse'),
    minSyncRatio: minSum('sync') / minSum('parse'),
    syncRatio: sum('sync', all) / sum('parse', all),
    classes,
    byType,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    cpuPerWall: (cpu.user + cpu.system) / 1000 / wallMs,
  };
}

/** `--modes`: run only the given modes for `--seconds` (for --cpu-prof), print events/s, write nothing. */
async function profileOnly(strs: readonly string[], modes: readonly ModeName[], a: Args): Promise<never> {
  const scratch = new Float64Array(strs.length);
  for (const m of modes) {
    const t0 = Date.now();
    const walls: number[] = [];
    const cpus: number[] = [];
    while (Date.now() - t0 < a.seconds * 1000) {
      const t = await pass(m, strs, scratch, 0);
      walls.push(t.wallMs);
      cpus.push(t.cpuMs);
    }
    console.log(
      `${MODE_LABEL[m]}: ${f0(strs.length / (median(walls) / 1000))} events/s wall, ` +
        `${f0(strs.length / (Math.min(...cpus) / 1000))} events/s CPU (best pass; ${walls.length} passes)`,
    );
  }
  process.exit(0);
}

// ------------------------------------------------------------------ replay (memory target)

async function replay(a: Args): Promise<ReplayResult> {
  const rssAfterLoadMb = process.resourceUsage().maxRSS / 1024;
  const deps: EngineDeps = { policy: DEFAULT_POLICY, counter: new MemoryWindowCounter() };
  let findings = 0;
  const t0 = Date.now();
  for (const e of corpusStream({ seed: a.seed, count: a.events })) {
    const r = await evaluateRaw(JSON.parse(e.json), deps);
    findings += r.findings.length;
  }
  return {
    kind: 'replay',
    events: a.events,
    findings,
    seconds: (Date.now() - t0) / 1000,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    rssAfterLoadMb,
  };
}

// ------------------------------------------------------------------ aggregation (median of runs)

/** Median of every numeric leaf over objects of the same shape; other leaves come from the first. */
function medianOf<T>(xs: readonly T[]): T {
  const first = xs[0];
  if (typeof first === 'number') return median(xs as unknown as number[]) as T;
  if (Array.isArray(first)) return first.map((_, i) => medianOf(xs.map((x) => (x as unknown[])[i]))) as T;
  if (first && typeof first === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(first)) out[k] = medianOf(xs.map((x) => (x as Record<string, unknown>)[k]));
    return out as T;
  }
  return first as T;
}

// ------------------------------------------------------------------ printing

const f0 = (x: number): string => Math.round(x).toLocaleString('en-US');
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const kb = (b: number): string => (b >= 1024 * 1024 ? `${f1(b / 1024 / 1024)} MB` : `${f1(b / 1024)} KB`);

function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]): string =>
    r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), w.map((x) => '-'.repeat(x)).join('  '), ...rows.map(line)].join('\n');
}

function render(r: RunResult, replayRes: ReplayResult | undefined, runs: number): string {
  const out: string[] = [];
  const c = r.corpus;
  out.push(
    `Corpus: ${f0(c.events)} events, ${kb(c.bytes)} (mean ${kb(c.meanBytes)}, median ${kb(c.medianBytes)}, ` +
      `${kb(c.minBytes)}..${kb(c.maxBytes)}), seed ${String(r.meta.seed)}; ` +
      `${f0(r.verification.eventsWithFindings)} events with findings, ${f0(r.verification.findings)} findings, ` +
      `${r.verification.incomplete} incomplete, ${r.verification.invalid} rejected`,
  );
  out.push(
    '',
    table(
      ['event type', 'events', 'share', 'bytes', 'share of bytes'],
      c.byType.map((t) => [
        t.name,
        f0(t.count),
        `${f1((t.count / c.events) * 100)} %`,
        kb(t.bytes),
        `${f1((t.bytes / c.bytes) * 100)} %`,
      ]),
    ),
  );
  out.push(
    '',
    `${runs > 1 ? `Median of ${runs} runs` : 'One run'}; ${r.rounds} measured passes per mode per run, per-event timing ` +
      `(process.hrtime.bigint) after warm-up; node ${String(r.meta.node)} on ${String(r.meta.cpuModel)}`,
    '',
  );
  const modeRow = (m: ModeName): string[] => [
    MODE_LABEL[m],
    f0(r.overall[m].eventsPerSec),
    f0(r.wallEventsPerSec[m]),
    f0(r.cpuEventsPerSec[m]),
    f0(r.minEventsPerSec[m]),
    f2(r.overall[m].p50Us),
    f2(r.overall[m].p99Us),
    f2(r.overall[m].meanUs),
    m === 'parse' ? '1.00' : f2(m === 'e2e' ? r.ratio : r.syncRatio),
    m === 'parse' ? '1.00' : f2(m === 'e2e' ? r.minRatio : r.minSyncRatio),
  ];
  out.push(
    table(
      [
        'mode (overall)',
        'events/s',
        'events/s (wall)',
        'events/s (CPU)',
        'events/s (min)',
        'p50 µs',
        'p99 µs',
        'mean µs',
        'x JSON.parse',
        'x (min)',
      ],
      (['parse', 'e2e', 'sync'] as const).map(modeRow),
    ),
    'events/s: events / summed per-event time; (wall): events / wall time of a pass; (CPU): events / process',
    'CPU time of a pass (not inflated by waiting for a core on a shared machine, but includes GC threads);',
    "(min): events / the sum over events of each event's fastest time across the passes (filters out",
    'preemption and interference from other processes: the intrinsic cost).',
  );
  out.push(
    '',
    table(
      [
        'size class',
        'events',
        'mean size',
        'parse ev/s',
        'parse p50',
        'parse p99',
        'e2e ev/s',
        'e2e p50',
        'e2e p99',
        'x JSON.parse',
        'parse ev/s (min)',
        'e2e ev/s (min)',
        'x (min)',
      ],
      r.classes.map((k) => [
        k.name,
        f0(k.count),
        kb(k.meanBytes),
        f0(k.parse.eventsPerSec),
        f2(k.parse.p50Us),
        f2(k.parse.p99Us),
        f0(k.e2e.eventsPerSec),
        f2(k.e2e.p50Us),
        f2(k.e2e.p99Us),
        f2(k.ratio),
        f0(k.minEventsPerSec.parse),
        f0(k.minEventsPerSec.e2e),
        f2(k.minRatio),
      ]),
    ),
    '(per-class latencies in µs; events/s = events / summed per-event time)',
  );
  out.push(
    '',
    table(
      [
        'event type',
        'parse mean µs',
        'e2e mean µs',
        'x JSON.parse',
        'parse µs (min)',
        'e2e µs (min)',
        'x (min)',
      ],
      r.byType.map((t) => [
        t.name,
        f2(t.parseMeanUs),
        f2(t.e2eMeanUs),
        f2(t.ratio),
        f2(t.parseMinMeanUs),
        f2(t.e2eMinMeanUs),
        f2(t.minRatio),
      ]),
    ),
  );
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT MET');
  const e2e = r.overall.e2e.eventsPerSec;
  out.push(
    '',
    table(
      ['target', 'measured', 'result'],
      [
        [
          `>= ${f0(TARGETS.eventsPerSec)} events/s on one core`,
          `${f0(e2e)} events/s (CPU time: ${f0(r.cpuEventsPerSec.e2e)}, min: ${f0(r.minEventsPerSec.e2e)})`,
          met(e2e >= TARGETS.eventsPerSec),
        ],
        [
          `<= ${TARGETS.maxRatioToJsonParse}x JSON.parse time`,
          `${f2(r.ratio)}x (CPU time: ${f2(r.cpuRatio)}x, min: ${f2(r.minRatio)}x)`,
          met(r.ratio <= TARGETS.maxRatioToJsonParse),
        ],
        ...(replayRes
          ? [
              [
                `peak RSS of a ${f0(replayRes.events)}-event replay < ${TARGETS.replayPeakRssMb} MB`,
                `${f1(replayRes.maxRssMb)} MB`,
                met(replayRes.maxRssMb < TARGETS.replayPeakRssMb),
              ],
            ]
          : []),
      ],
    ),
    '',
    `Peak RSS of the benchmark process (corpus held in memory): ${f1(r.maxRssMb)} MB; ` +
      `CPU time / wall time while measuring: ${f2(r.cpuPerWall)}; load average before/after: ` +
      `${JSON.stringify(r.meta.loadavgBefore)} / ${JSON.stringify(r.meta.loadavgAfter)}`,
  );
  return out.join('\n');
}

function write(path: string | undefined, value: unknown): void {
  if (!path) return;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  if (a.mode === 'replay') {
    const r = await replay(a);
    write(a.out, r);
    console.log(
      `replay: ${f0(r.events)} events streamed once through evaluateRaw in ${f2(r.seconds)} s, ` +
        `peak RSS ${f1(r.maxRssMb)} MB (${f1(r.rssAfterLoadMb)} MB after loading the bundle)`,
    );
    return;
  }
  if (a.mode === 'aggregate') {
    const runs = a.inputs.map((p) => JSON.parse(readFileSync(p, 'utf8')) as RunResult);
    if (!runs.length) throw new Error('--aggregate needs run result files');
    const med = medianOf(runs);
    const replayRes = a.replay ? (JSON.parse(readFileSync(a.replay, 'utf8')) as ReplayResult) : undefined;
    console.log(`\n=== ECS Guardrail engine benchmark: ${a.command ?? 'npm run bench'} ===\n`);
    console.log(render(med, replayRes, runs.length));
    const e2e = med.overall.e2e.eventsPerSec;
    write(a.out, {
      command: a.command ?? 'npm run bench',
      date: new Date().toISOString(),
      machine: machine(),
      targets: {
        eventsPerSec: { target: TARGETS.eventsPerSec, measured: e2e, met: e2e >= TARGETS.eventsPerSec },
        ratioToJsonParse: {
          target: TARGETS.maxRatioToJsonParse,
          measured: med.ratio,
          met: med.ratio <= TARGETS.maxRatioToJsonParse,
        },
        ...(replayRes
          ? {
              replayPeakRssMb: {
                target: TARGETS.replayPeakRssMb,
                measured: replayRes.maxRssMb,
                met: replayRes.maxRssMb < TARGETS.replayPeakRssMb,
              },
            }
          : {}),
      },
      corpusMix: { byType: MIX, registerTaskDefinition: TD_MIX, sizeClasses: SIZE_CLASSES },
      median: med,
      replay: replayRes,
      runs: runs.map((r) => ({
        date: r.meta.date,
        loadavgBefore: r.meta.loadavgBefore,
        loadavgAfter: r.meta.loadavgAfter,
        rounds: r.rounds,
        eventsPerSec: r.overall.e2e.eventsPerSec,
        parseEventsPerSec: r.overall.parse.eventsPerSec,
        ratio: r.ratio,
        p50Us: r.overall.e2e.p50Us,
        p99Us: r.overall.e2e.p99Us,
        maxRssMb: r.maxRssMb,
      })),
    });
    return;
  }
  const r = await measure(a);
  write(a.out, r);
  if (a.brief) {
    console.log(
      `parse ${f0(r.overall.parse.eventsPerSec)} e2e ${f0(r.overall.e2e.eventsPerSec)} ratio ${f2(r.ratio)} | ` +
        `CPU parse ${f0(r.cpuEventsPerSec.parse)} e2e ${f0(r.cpuEventsPerSec.e2e)} ratio ${f2(r.cpuRatio)} | ` +
        `min parse ${f0(r.minEventsPerSec.parse)} e2e ${f0(r.minEventsPerSec.e2e)} ` +
        `sync ${f0(r.minEventsPerSec.sync)} ratio ${f2(r.minRatio)}`,
    );
    return;
  }
  console.log(render(r, undefined, 1));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
