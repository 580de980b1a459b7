/**
 * `npm run local -- [options] [PATH...]`: the local pipeline (docs/local-pipeline.md). Bundled and run by
 * scripts/local-pipeline.mjs.
 */
import { readFileSync } from 'node:fs';
import { IAC_FORM_NAMES, readInputs } from '../../cli/inputs';
import { recordToEvent } from '../../shared/events/cloudtrail-record';
import type { Finding } from '../../shared/model/finding';
import {
  LocalPipeline,
  type Delivery,
  type InputEvent,
  type PutOutcome,
  type StoredFinding,
} from './pipeline';

const USAGE = `Usage: npm run local -- [options] [PATH...]

Runs the deployed event flow locally against moto_server (started on a free 127.0.0.1 port):
PutEvents -> the EventBridge rules of infra/event-patterns.json -> one SQS queue per function ->
the real handlers (functions/*.ts), in this process -> findings in DynamoDB, notifications on the
outbox queue. Prints each routed event, the findings recorded and the notifications queued.

PATH: event files or directories (JSON, a JSON array, JSON Lines, a CloudTrail log; '-' = stdin).

Options:
  --policy FILE        policy file (default: guardrail.policy.yml)
  --enrich             let the handlers read ECS/EC2 in moto for facts an event lacks (default off)
  --watch              keep polling after the inputs drained, until Ctrl-C (or --max-seconds);
                       put more events with any client on the printed endpoint
  --max-seconds N      stop after N seconds in any case (default 120; with --watch 3600)
  --endpoint URL       use a running moto_server on a loopback address instead of starting one
  --verbose            also print the handlers' own output (Powertools JSON logs, EMF metrics)
  --json               print one JSON report at the end instead of text
  -h, --help           this text

Exit status: 0 done; 1 a handler crashed (not a rejected invalid event) or an input could not be
read or put; 2 usage error.`;

interface Args {
  paths: string[];
  policy?: string;
  enrich: boolean;
  watch: boolean;
  maxSeconds?: number;
  endpoint?: string;
  verbose: boolean;
  json: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args | 'help' {
  const a: Args = { paths: [], enrich: false, watch: false, verbose: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '-h':
      case '--help':
        return 'help';
      case '--policy':
        a.policy = value();
        break;
      case '--enrich':
        a.enrich = true;
        break;
      case '--watch':
        a.watch = true;
        break;
      case '--verbose':
        a.verbose = true;
        break;
      case '--json':
        a.json = true;
        break;
      case '--endpoint':
        a.endpoint = value();
        break;
      case '--max-seconds': {
        const n = Number(value());
        if (!Number.isFinite(n) || n <= 0 || n > 86_400)
          throw new UsageError('--max-seconds must be 1..86400');
        a.maxSeconds = n;
        break;
      }
      default:
        if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
        a.paths.push(arg);
    }
  }
  if (!a.paths.length && !a.watch) throw new UsageError('give event files or directories, or --watch');
  return a;
}

const say = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

function describeDelivery(d: Delivery): string {
  const what = `${d.detailType}${d.eventName ? ` ${d.eventName}` : ''}`;
  const from = d.label ?? `(event ${d.eventId}, put by another client)`;
  const head = `  routed  -> ${d.function.padEnd(19)} ${what}  ${from}`;
  if (d.error)
    return `${head}\n          x ${d.error.name}: ${d.error.message} (${d.ms.toFixed(0)} ms; deployed: retried by Lambda, then the on-failure queue)`;
  const s = d.summary!;
  const parts = [
    `${s.findings} finding(s)`,
    `${s.new} new`,
    `${s.queued} queued`,
    ...(s.exempted ? [`${s.exempted} exempted`] : []),
    ...(s.remediations ? [`${s.remediations} remediation(s)`] : []),
    ...(s.incomplete ? [`incomplete: ${s.incomplete}`] : []),
  ];
  return `${head}\n          ${parts.join(', ')} (${d.ms.toFixed(0)} ms${d.restored ? '; account/region restored' : ''})`;
}

function describeFinding(f: StoredFinding): string {
  const action = f.action
    ? `  action ${f.action.name} ${f.action.status}${f.action.reason ? `: ${f.action.reason}` : ''}`
    : '';
  return `  ${f.severity.padEnd(8)} ${f.ruleId.padEnd(34)} ${f.status.padEnd(8)} x${f.count}  ${f.resourceArn}${action}`;
}

function describeNotification(f: Finding): string {
  const action = f.action
    ? `  action ${f.action.name} ${f.action.status}${f.action.reason ? `: ${f.action.reason}` : ''}`
    : '';
  return `  ${f.severity.padEnd(8)} ${f.ruleId.padEnd(34)} ${f.resource.arn}${action}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`local pipeline: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (args === 'help') {
    say(USAGE);
    return 0;
  }
  const opts = args;
  const started = Date.now();
  const deadline = started + (opts.maxSeconds ?? (opts.watch ? 3600 : 120)) * 1000;

  // Read the inputs first: a bad path fails before moto starts.
  const inputs: InputEvent[] = [];
  const inputErrors: { label: string; error: string }[] = [];
  for await (const item of readInputs(opts.paths, () => readFileSync(0))) {
    if ('error' in item) inputErrors.push({ label: item.label, error: item.error });
    else if ('iac' in item)
      inputErrors.push({
        label: item.label,
        error: `${IAC_FORM_NAMES[item.iac.form]}: not an event (templates and plans: guardrail evaluate)`,
      });
    else if ('record' in item) inputs.push({ label: item.label, value: recordToEvent(item.record) });
    else inputs.push({ label: item.label, value: item.value });
  }

  const text = !opts.json;
  const handlerOutput = opts.verbose
    ? (chunk: string) => {
        process.stderr.write(chunk.replace(/^(?=.)/gm, '          | '));
      }
    : undefined;
  const pipeline = await LocalPipeline.start({
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    ...(opts.policy ? { policyFile: opts.policy } : {}),
    enrich: opts.enrich,
    ...(handlerOutput ? { handlerOutput } : {}),
  });
  let stopping = false;
  const onSignal = (): void => {
    stopping = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const deliveries: Delivery[] = [];
  let puts: PutOutcome[] = [];
  try {
    if (text) {
      say(
        `ECS Guardrail local pipeline: moto_server ${pipeline.moto.owned ? 'started' : 'reused'} on ${pipeline.endpoint}`,
      );
      say(
        `  table ${pipeline.tableName}, outbox queue, rules of infra/event-patterns.json -> queues -> handlers (policy ${process.env.GUARDRAIL_POLICY_FILE}, enrichment ${opts.enrich ? 'on' : 'off'})`,
      );
      for (const e of inputErrors) say(`  input   ${e.label}: ${e.error}`);
    }
    puts = await pipeline.put(inputs);
    if (text) {
      say(`put ${puts.filter((p) => p.eventId).length} event(s) on the default bus`);
      for (const p of puts.filter((x) => x.error)) say(`  not put ${p.label}: ${p.error}`);
    }
    const show = (d: Delivery): void => {
      deliveries.push(d);
      if (text) say(describeDelivery(d));
    };
    await pipeline.drain(deadline, show);
    if (text)
      for (const u of pipeline.unrouted())
        say(`  not routed (no rule's pattern matches; no function would run): ${u.label}`);

    if (opts.watch && !stopping) {
      if (text) {
        say();
        say(
          `watching (Ctrl-C to stop; at most until ${new Date(deadline).toISOString()}). Put events with e.g.`,
        );
        say(
          `  AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local aws --region ${pipeline.region} --endpoint-url ${pipeline.endpoint} events put-events --entries file://entries.json`,
        );
      }
      while (!stopping && Date.now() < deadline) for (const d of await pipeline.pollOnce(1)) show(d);
    }

    const findings = await pipeline.findings();
    const notifications = await pipeline.takeNotifications();
    const crashed = deliveries.filter((d) => d.error && d.error.name !== 'InvalidEventError');
    const failedInputs = inputErrors.length + puts.filter((p) => p.error).length;
    if (opts.json) {
      say(
        JSON.stringify(
          {
            endpoint: pipeline.endpoint,
            put: puts,
            inputErrors,
            deliveries,
            unrouted: pipeline.unrouted(),
            findings,
            notifications,
          },
          null,
          2,
        ),
      );
    } else {
      say();
      say(`findings recorded (DynamoDB ${pipeline.tableName}): ${findings.length}`);
      for (const f of findings) say(describeFinding(f));
      say(`notifications queued (outbox): ${notifications.length}`);
      for (const n of notifications) say(describeNotification(n));
      say();
      say(
        `${deliveries.length} delivery(ies), ${pipeline.unrouted().length} not routed, ${deliveries.filter((d) => d.error).length} failed; ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
    return crashed.length || failedInputs ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await pipeline.stop();
  }
}
