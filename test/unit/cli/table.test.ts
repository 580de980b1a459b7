/**
 * The findings table outside a terminal (a CI log, a file): nothing cut, every evidence message printed,
 * exempted (--include-exempt) and expired-exemption rows marked in the MODE column, which no input can write.
 * On a terminal the table still fits the width.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatTable } from '../../../cli/format';
import { fixturePath } from '../../helpers/fixtures';
import { okContainer, registerTd } from '../engine/builders';
import { finding } from '../notify/fixtures';
import { run } from './memory-io';

const PRIVILEGED = fixturePath('cloudtrail-register-task-definition-privileged.json');
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-table-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const policyFile = (name: string, text: string): string => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

/** The MODE cell of the row of `rule` (columns are separated by at least one space; MODE is the 4th). */
function modeOf(stdout: string, rule: string): string {
  const header = stdout.split('\n')[0]!;
  const row = stdout.split('\n').find((l) => l.split(/\s+/)[1] === rule)!;
  return row.slice(header.indexOf('MODE'), header.indexOf('EVIDENCE')).trim();
}

describe('the table outside a terminal', () => {
  it('cuts nothing: a 600-character evidence message and a 200-character name arrive whole, whatever the width', async () => {
    const name = `c${'n'.repeat(199)}`;
    const family = `f${'x'.repeat(199)}`;
    const event = registerTd({ family, containers: [okContainer(name, { privileged: true })] });
    const r = await run(['evaluate', '-'], { stdin: JSON.stringify(event), columns: 80 });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`container "${name}" is privileged`);
    expect(r.stdout).toContain(`${family}:1`);
    expect(r.stdout).not.toContain('…');

    const f = finding({ evidence: [{ path: 'x', message: `m${'e'.repeat(599)}` }] });
    const table = formatTable([f], { color: false, width: 80, terminal: false });
    expect(table).toContain(`m${'e'.repeat(599)}`);
  });

  it('on a terminal the same table is cut to the width, with the count of further evidence', async () => {
    const narrow = await run(['evaluate', PRIVILEGED], { stdoutIsTty: true, columns: 100 });
    expect(narrow.stdout).toContain('…');
    const wide = await run(['evaluate', PRIVILEGED], { stdoutIsTty: true, columns: 220 });
    expect(wide.stdout).toContain('(+1 more)');
    expect(wide.stdout).not.toContain('container "sidecar" sets no user');
  });

  it('marks an exempted row (--include-exempt) and spells out the exemption below it', async () => {
    const policy = policyFile(
      'exempt.yml',
      'exemptions:\n  - { rule: td-host-pid, arn: "*:task-definition/node-exporter:*", until: 2999-01-01, reason: SEC-9 }\n',
    );
    const hidden = await run(['evaluate', '--policy', policy, PRIVILEGED]);
    expect(hidden.stdout).not.toMatch(/td-host-pid/);
    expect(hidden.stdout).toContain('1 exempted');
    const r = await run(['evaluate', '--include-exempt', '--policy', policy, PRIVILEGED]);
    expect(modeOf(r.stdout, 'td-host-pid')).toBe('notify (exempt)');
    expect(modeOf(r.stdout, 'td-privileged')).toBe('notify');
    expect(r.stdout).toMatch(
      /td-host-pid[^\n]*\n\s+\(exempted by the policy until 2999-01-01[^\n]*: SEC-9\)\n/,
    );
  });

  it('marks an expired-exemption row; it is shown without --include-exempt (it no longer exempts)', async () => {
    const policy = policyFile(
      'expired.yml',
      'exemptions:\n  - { rule: td-host-pid, arn: "*", until: 2020-01-01, reason: old }\n',
    );
    const r = await run(['evaluate', '--policy', policy, PRIVILEGED]);
    expect(modeOf(r.stdout, 'td-host-pid')).toBe('notify (exemption expired)');
    expect(r.stdout).toMatch(/\(exemption by the policy expired 2020-01-01[^\n]*: old\)/);
  });

  it('on a terminal the marks are there too, the MODE column widened to hold them', async () => {
    const policy = policyFile(
      'expired2.yml',
      'exemptions:\n  - { rule: td-host-pid, arn: "*", until: 2020-01-01 }\n',
    );
    const r = await run(['evaluate', '--policy', policy, PRIVILEGED], { stdoutIsTty: true, columns: 120 });
    expect(r.stdout).toContain('notify (exemption expired)');
  });

  it('evidence built to break the log (newline, carriage return, cursor moves, bidi) cannot add a row or a mark', async () => {
    const name = 'app"\nCRITICAL td-fake x notify (exempt) forged\r\x1b[1A\x1b[2K\u202e';
    const event = registerTd({ family: 'hostile', containers: [okContainer(name, { privileged: true })] });
    const r = await run(['evaluate', '--include-exempt', '-'], { stdin: JSON.stringify(event) });
    expect(r.code).toBe(0);
    // eslint-disable-next-line no-control-regex -- the point
    expect(r.stdout).not.toMatch(/[\r\x1b\u202e]/);
    const rows = r.stdout.split('\n').filter((l) => /^[A-Z]+ /.test(l));
    expect(rows.some((l) => l.startsWith('CRITICAL td-fake'))).toBe(false);
    expect(modeOf(r.stdout, 'td-privileged')).toBe('notify');
    expect(r.stdout).toContain('\\x0aCRITICAL td-fake');
  });

  it('an infrastructure-as-code finding names its address and file:line', () => {
    const f = finding({
      resource: { type: 'AWS::ECS::TaskDefinition', arn: 'stack.yaml#TaskDef' },
      location: { file: 'infra/stack.yaml', address: 'TaskDef', line: 17 },
    });
    expect(formatTable([f], { color: false, width: 80, terminal: false })).toContain(
      'TaskDef (infra/stack.yaml:17)',
    );
  });
});
