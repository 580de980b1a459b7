/**
 * `guardrail exemptions list` (cli/exemptions-command.ts) with memory records: the records made from
 * Slack and the policy file's list, expired ones left out, text escaped for the terminal, usage errors
 * exit 3 naming the option.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExemptionsCommand } from '../../../cli/exemptions-command';
import { MemoryExemptionRecords } from '../../../shared/store/exemption-records';
import { memoryIo } from './memory-io';

const future = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

async function records() {
  const r = new MemoryExemptionRecords();
  await r.put({
    id: 'r1',
    rule: 'td-privileged',
    arn: 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:7',
    container: 'log_router',
    until: future(30),
    reason: 'SEC-123 \u001b]8;;https://evil\u0007click\u001b]8;;\u0007 accepted',
    createdBy: 'slack:T0ACME/U0ALICE',
    createdAt: '2026-12-08T02:00:00.000Z',
  });
  await r.put({
    id: 'r2',
    rule: 'svc-public-ip',
    arn: 'arn:aws:ecs:us-east-1:111122223333:service/prod/api',
    until: '2020-01-01',
    reason: 'expired long ago',
    createdBy: 'slack:T0ACME/U0ALICE',
    createdAt: '2019-12-01T00:00:00.000Z',
  });
  return r;
}

describe('guardrail exemptions list', () => {
  it('lists the active Slack records and the policy file exemptions; expired ones are left out; escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'guardrail-exemptions-'));
    const policy = join(dir, 'p.yml');
    writeFileSync(
      policy,
      `exemptions:\n  - { rule: td-root-user, arn: 'arn:aws:ecs:*:111122223333:task-definition/legacy-*', reason: SEC-9 }\n  - { rule: td-privileged, arn: 'x*', until: 2020-01-01 }\n`,
    );
    const { io, out, err } = memoryIo();
    const r = await records();
    expect(
      await runExemptionsCommand(
        ['list', '--table', 'ecs-guardrail-prod-state', '--policy', policy],
        io,
        async () => r,
      ),
    ).toBe(0);
    const text = out();
    expect(text.split('\n')[0]).toMatch(/^SOURCE\s+RULE\s+RESOURCE\s+CONTAINER\s+UNTIL\s+BY\s+REASON$/);
    expect(text).toContain('slack   td-privileged');
    expect(text).toContain('log_router');
    expect(text).toContain('policy  td-root-user');
    expect(text).not.toContain('expired long ago');
    expect(text).not.toContain('\u001b');
    expect(err()).toContain('2 exemption(s) in force');
  });

  it('--format json: one object per line with its source', async () => {
    const { io, out } = memoryIo();
    const r = await records();
    await runExemptionsCommand(['list', '--table', 't-state', '--format', 'json'], io, async () => r);
    const rows = out()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toEqual([
      expect.objectContaining({ source: 'slack', rule: 'td-privileged', createdBy: 'slack:T0ACME/U0ALICE' }),
    ]);
  });

  it.each([
    [['list'], '--table must name the state table'],
    [['list', '--table', 'x y'], '--table must name the state table'],
    [['list', '--table', 'tbl', '--format', 'csv'], '--format must be table or json'],
    [['remove'], 'unknown subcommand "remove"'],
    [[], 'missing subcommand'],
  ])('%j: exit 3 with the problem and the usage', async (argv, problem) => {
    const { io, err } = memoryIo();
    expect(await runExemptionsCommand(argv, io, async () => new MemoryExemptionRecords())).toBe(3);
    expect(err()).toContain(problem);
    expect(err()).toContain('Usage:');
  });
});
