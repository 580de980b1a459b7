/**
 * Text built to break a terminal: control characters and direction overrides from events reach the
 * table, stderr and JSON output only as visible escapes.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { escapeTerminal, terminalSafeJson } from '../../../cli/terminal-text';
import { okContainer, registerTd } from '../engine/builders';
import { jsonLines, run } from './memory-io';

/** Erase the line, move up, erase again, return to column 0, overwrite; then a right-to-left override. */
const HOSTILE = 'x\r\x1b[2K\x1b[1A\x1b[2K\b\b\x7f\x9b2K\u202egnp.exe\u2066\u2069\u200f\ttab\nnl';
/** Every character that changes a terminal's state or the order of what it shows. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/;
/** The same, allowing the colour sequences the table itself paints with on a terminal. */
// eslint-disable-next-line no-control-regex -- the SGR sequences the table paints with
const withoutOwnColours = (s: string): string => s.replace(/\x1b\[(?:\d+;)?\d+m/g, '');

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-tty-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hostileTd = () =>
  JSON.stringify(
    registerTd({
      family: `fam${HOSTILE}`,
      containers: [okContainer(`c${HOSTILE}`, { privileged: true })],
    }),
  );

describe('escapeTerminal', () => {
  it.each([
    ['\x1b[2K', '\\x1b[2K'],
    ['a\rb', 'a\\x0db'],
    ['\b\x7f', '\\x08\\x7f'],
    ['\x9b', '\\x9b'],
    ['\u202eevil', '\\u202eevil'],
    ['\u2066\u2069', '\\u2066\\u2069'],
    ['tab\tnl\n', 'tab\\x09nl\\x0a'],
    ['plain text: node-exporter:7 ÄÖ 日本', 'plain text: node-exporter:7 ÄÖ 日本'],
  ])('%j -> %j', (input, expected) => {
    expect(escapeTerminal(input)).toBe(expected);
  });
});

describe('terminalSafeJson', () => {
  it('parses back to the same value and holds no raw control, C1 or bidi character', () => {
    const value = { s: HOSTILE, k: { [HOSTILE]: ['\u2028\u2029'] } };
    const json = terminalSafeJson(value);
    expect(json).not.toMatch(RAW_CONTROL);
    expect(json).not.toMatch(/[\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});

describe('guardrail evaluate output', () => {
  it('the table shows a hostile name as escapes: the CRITICAL row cannot be erased', async () => {
    for (const stdoutIsTty of [false, true]) {
      const r = await run(['evaluate', '-'], { stdin: hostileTd(), stdoutIsTty, columns: 400 });
      expect(r.code).toBe(0);
      expect(withoutOwnColours(r.stdout)).not.toMatch(RAW_CONTROL);
      const critical = r.stdout.split('\n').find((l) => l.includes('td-privileged'))!;
      expect(critical).toContain('CRITICAL');
      expect(critical).toContain('fam' + 'x\\x0d\\x1b[2K\\x1b[1A');
      expect(critical).toContain('\\u202egnp.exe');
      expect(r.stdout.split('\n').filter((l) => l.includes('td-privileged'))).toHaveLength(1);
    }
  });

  it('--format json keeps the exact value, with the controls escaped', async () => {
    const r = await run(['evaluate', '--format', 'json', '-'], { stdin: hostileTd() });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    const priv = jsonLines(r.stdout).find((f) => f.ruleId === 'td-privileged')!;
    expect(priv.resource.arn).toContain(`fam${HOSTILE}`);
  });

  it('stderr escapes a hostile file name and a hostile key in an error path', async () => {
    const dir = join(tmp, 'names');
    mkdirSync(dir);
    writeFileSync(join(dir, 'evil\x1b[2K\r.json'), 'not json\n');
    const badKey = registerTd({
      containers: [
        okContainer('a', {
          logConfiguration: { logDriver: 'awslogs', options: { ['k\x1b[1A\u202e']: 5 as unknown as string } },
        }),
      ],
    });
    writeFileSync(join(dir, 'key.json'), JSON.stringify(badKey));
    const r = await run(['evaluate', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('evil\\x1b[2K\\x0d.json:1: not valid JSON');
    // A map key may itself be a secret: the error names its position, never its text (escaped or not).
    expect(r.stderr).toContain('options.<key 0>: expected string, got number');
    expect(r.stderr).not.toContain('k\\x1b[1A');
  });
});
