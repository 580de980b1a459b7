/**
 * `guardrail exemptions list --table TABLE`: the exemptions in force, those made from Slack (exemption
 * records in the state table, docs/slack-app.md) and, with `--policy`, the policy file's own list.
 * Expired ones are left out (they no longer exempt). Text that came from people (reasons, container
 * names) is escaped for the terminal.
 *
 * Exit codes: 0 listed; 3 usage error.
 */
import { parseArgs } from 'node:util';
import { GuardrailError } from '../shared/base/errors';
import { isExpired } from '../shared/policy/exemptions';
import type { PolicyExemption } from '../shared/policy/types';
import type { ExemptionRecord, ExemptionRecords } from '../shared/store/exemption-records';
import type { Io } from './evaluate-command';
import { escapeTerminal, terminalSafeJson } from './terminal-text';

export const EXEMPTIONS_USAGE = `Usage:
  guardrail exemptions list --table TABLE [--policy FILE] [--format table|json]

Lists the exemptions in force: those made from Slack (Exempt button; records in the state table) and,
with --policy, the policy file's. Expired exemptions are not listed (they no longer exempt).
  --table TABLE       the state table (stack resource GuardrailTable)
  --policy FILE       also list this policy file's exemptions
  --format table|json table (default) or JSON Lines, one exemption per line
Region and credentials: the usual AWS_REGION / AWS_PROFILE environment.

Exit codes: 0 listed, 3 usage error.
`;

class ExemptionsUsageError extends GuardrailError {
  override readonly name = 'UsageError';
}

export interface ListedExemption {
  readonly source: 'slack' | 'policy';
  readonly rule: string;
  readonly arn: string;
  readonly container?: string;
  readonly until?: string;
  readonly reason?: string;
  readonly createdBy?: string;
  readonly createdAt?: string;
  readonly findingId?: string;
}

export function listed(
  records: readonly ExemptionRecord[],
  policy: readonly PolicyExemption[],
  now: Date,
): ListedExemption[] {
  return [
    ...records.map(({ id: _id, ...r }) => ({ source: 'slack' as const, ...r })),
    ...policy.filter((p) => !isExpired(p.until, now)).map((p) => ({ source: 'policy' as const, ...p })),
  ].sort((a, b) => a.rule.localeCompare(b.rule) || a.arn.localeCompare(b.arn));
}

function table(rows: readonly ListedExemption[]): string {
  const header = ['SOURCE', 'RULE', 'RESOURCE', 'CONTAINER', 'UNTIL', 'BY', 'REASON'];
  const cells = rows.map((r) =>
    [r.source, r.rule, r.arn, r.container ?? '-', r.until ?? '-', r.createdBy ?? '-', r.reason ?? '-'].map(
      (c) => escapeTerminal(c),
    ),
  );
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) =>
    c.map((x, i) => (i === c.length - 1 ? x : x.padEnd(widths[i]!))).join('  ');
  return [line(header), ...cells.map(line)].join('\n') + '\n';
}

export async function runExemptionsCommand(
  argv: readonly string[],
  io: Io,
  recordsFor: (table: string) => Promise<ExemptionRecords> = async (tableName) => {
    const [{ DynamoDBClient }, { DynamoDbExemptionRecords }] = await Promise.all([
      import('@aws-sdk/client-dynamodb'),
      import('../shared/store/dynamodb-exemption-records'),
    ]);
    return new DynamoDbExemptionRecords({ client: new DynamoDBClient({}), tableName });
  },
): Promise<number> {
  let values;
  try {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      io.stdout(EXEMPTIONS_USAGE);
      return 0;
    }
    if (sub !== 'list')
      throw new ExemptionsUsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
    ({ values } = parseArgs({
      args: rest,
      allowPositionals: false,
      options: {
        table: { type: 'string' },
        policy: { type: 'string' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      io.stdout(EXEMPTIONS_USAGE);
      return 0;
    }
    if (!values.table || !/^[A-Za-z0-9_.-]{3,255}$/.test(values.table))
      throw new ExemptionsUsageError('--table must name the state table');
    if (values.format !== 'table' && values.format !== 'json')
      throw new ExemptionsUsageError('--format must be table or json');
  } catch (err) {
    if (
      err instanceof ExemptionsUsageError ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      io.stderr(`guardrail exemptions: ${(err as Error).message}\n\n${EXEMPTIONS_USAGE}`);
      return 3;
    }
    throw err;
  }
  const now = new Date();
  let policy: readonly PolicyExemption[] = [];
  if (values.policy) {
    const { loadPolicyFile } = await import('../shared/policy/load');
    policy = loadPolicyFile(values.policy).exemptions;
  }
  const records = await (await recordsFor(values.table)).listActive(now);
  const rows = listed(records, policy, now);
  if (values.format === 'json') for (const r of rows) io.stdout(`${terminalSafeJson(r)}\n`);
  else io.stdout(table(rows));
  io.stderr(`guardrail exemptions: ${rows.length} exemption(s) in force\n`);
  return 0;
}
