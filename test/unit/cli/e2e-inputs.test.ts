/**
 * The bundled CLI as a child process on inputs that hang or exhaust a naive reader: a real stdin
 * redirected from /dev/zero, a FIFO nobody writes to, stdin given twice. Each run has a timeout: a
 * hang fails the test instead of blocking the suite.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixturePath } from '../../helpers/fixtures';

const ROOT = join(__dirname, '..', '..', '..');
const CLI = join(ROOT, 'dist', 'guardrail.cjs');
const SERVICE = fixturePath('cloudtrail-create-service-assign-public-ip.json');
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-e2e-inputs-'));

function guardrail(args: string[], stdin: number | 'pipe' = 'pipe', input = '') {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: ROOT,
    stdio: [stdin, 'pipe', 'pipe'],
    ...(stdin === 'pipe' ? { input } : {}),
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1' },
  });
  expect(r.signal).toBeNull(); // not killed by the timeout: nothing hung
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build-cli.mjs'], { cwd: ROOT, stdio: 'pipe' });
}, 60_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('dist/guardrail.cjs on inputs that never end', () => {
  it('stdin redirected from /dev/zero: refused at the first byte, exit 2', () => {
    const fd = openSync('/dev/zero', 'r');
    try {
      const r = guardrail(['evaluate', '-', SERVICE], fd);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(
        'guardrail: stdin: not valid JSON (expected an object or an array at line 1 column 1)',
      );
      expect(r.stdout).toContain('svc-public-ip');
    } finally {
      closeSync(fd);
    }
  }, 30_000);

  it('a FIFO nobody writes to: refused, exit 2', () => {
    const fifo = join(tmp, 'events.json');
    execFileSync('mkfifo', [fifo]);
    const r = guardrail(['evaluate', fifo, SERVICE]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`guardrail: ${fifo}: not a regular file (a FIFO): refused`);
  }, 30_000);

  it('JSON Lines through a real pipe, the first line broken: the rest evaluated', () => {
    const good = JSON.stringify(JSON.parse(readFileSync(SERVICE, 'utf8')));
    const r = guardrail(['evaluate', '--format', 'json', '-'], 'pipe', `${good.slice(0, 100)}\n${good}\n`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^guardrail: stdin:1: not valid JSON \(/m);
    expect(r.stdout).toContain('svc-public-ip');
  }, 30_000);

  it('- given twice is a usage error, exit 3', () => {
    const r = guardrail(['evaluate', '-', '-']);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('- (stdin) can be given only once');
  }, 30_000);
});
