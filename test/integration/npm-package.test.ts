/**
 * The published package: `npm pack` ships the CLI bundle, the README, the LICENSE and the docs it links to,
 * and no test, fixture or source file; the tarball installs offline into an empty project and
 * `npx guardrail` runs from it; the bundle alone (no node_modules anywhere) runs every offline command.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  private?: boolean;
  bin: Record<string, string>;
  engines: Record<string, string>;
  license: string;
  files: string[];
};
const EVENT = join(ROOT, 'events', 'cloudtrail-register-task-definition-privileged.json');
const tmp = mkdtempSync(join(tmpdir(), 'guardrail-pack-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function npm(args: string[], cwd: string) {
  const r = spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: 240_000,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
    },
  });
  if (r.error) throw r.error;
  return r;
}

interface PackEntry {
  readonly path: string;
  readonly mode: number;
}

let files: PackEntry[];
beforeAll(() => {
  const r = npm(['pack', '--dry-run', '--json'], ROOT);
  expect(r.status, r.stderr).toBe(0);
  // npm prints the lifecycle scripts' output (prepare builds the CLI) before the JSON.
  const json = r.stdout.slice(r.stdout.indexOf('['));
  files = (JSON.parse(json) as { files: PackEntry[] }[])[0]!.files;
}, 240_000);

describe('npm pack', () => {
  it('is publishable: not private, bin guardrail, engines, license', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.bin).toEqual({ guardrail: 'dist/guardrail.cjs' });
    expect(pkg.engines.node).toMatch(/^>=20/);
    expect(pkg.license).toBe('Apache-2.0');
  });

  it('ships the bin, README, LICENSE and docs; no test, fixture, source or source map', () => {
    const paths = files.map((f) => f.path);
    expect(paths).toContain('dist/guardrail.cjs');
    expect(paths).toContain('README.md');
    expect(paths).toContain('LICENSE');
    expect(paths).toContain('package.json');
    // The docs the CLI's usage and the README link to.
    for (const doc of [
      'docs/output-formats.md',
      'docs/remediation.md',
      'docs/notifications.md',
      'docs/enrichment.md',
    ])
      expect(paths).toContain(doc);
    const forbidden = paths.filter(
      (p) =>
        /(^|\/)(test|tests|__tests__|fixtures|bench|events|examples|scripts|infra|functions|shared|cli)\//.test(
          p,
        ) ||
        /\.(test|spec)\.[cm]?[jt]s$/.test(p) ||
        /\.ts$/.test(p) ||
        /\.map$/.test(p),
    );
    expect(forbidden).toEqual([]);
    // The bin is executable in the tarball.
    expect(files.find((f) => f.path === 'dist/guardrail.cjs')!.mode & 0o111).not.toBe(0);
  });

  it('the LICENSE is the Apache License 2.0 text in full', () => {
    const text = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
    expect(text).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(text).toContain('TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION');
    expect(text).toContain('9. Accepting Warranty or Additional Liability.');
    expect(text).toContain('END OF TERMS AND CONDITIONS');
    expect(text.length).toBeGreaterThan(11_000);
  });
});

describe('the packed tarball', () => {
  let tarball: string;
  beforeAll(() => {
    const r = npm(['pack', '--json', '--pack-destination', tmp], ROOT);
    expect(r.status, r.stderr).toBe(0);
    tarball = join(
      tmp,
      (JSON.parse(r.stdout.slice(r.stdout.indexOf('['))) as { filename: string }[])[0]!.filename,
    );
    expect(existsSync(tarball)).toBe(true);
  }, 240_000);

  it('installs offline into an empty project; npx guardrail --version, rules and evaluate work', () => {
    const app = join(tmp, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), '{"name":"consumer","version":"1.0.0","private":true}\n');
    // Offline: from npm's cache only (the clone's `npm ci` filled it); no registry is asked.
    const install = npm(['install', '--offline', '--ignore-scripts', tarball], app);
    expect(install.status, install.stderr).toBe(0);
    const npx = (args: string[]) => npm(['exec', '--offline', '--', 'guardrail', ...args], app);
    const version = npx(['--version']);
    expect(version.stdout).toBe(`${pkg.version}\n`);
    const rules = npx(['rules', '--format', 'json']);
    expect(rules.status).toBe(0);
    expect((JSON.parse(rules.stdout) as unknown[]).length).toBeGreaterThan(30);
    const evaluate = npx(['evaluate', '--format', 'json', '--fail-on', 'CRITICAL', EVENT]);
    expect(evaluate.status).toBe(1);
    expect(evaluate.stdout).toContain('"ruleId":"td-privileged"');
  }, 240_000);

  it('the bundle is self-contained: it runs with no node_modules anywhere above it', () => {
    const alone = join(tmp, 'alone');
    mkdirSync(alone);
    execFileSync('tar', ['-xzf', tarball, '-C', alone]);
    // Copied into a directory of the temp dir that has no node_modules on its way to /.
    const bin = join(alone, 'package', 'dist', 'guardrail.cjs');
    const isolated = join(tmpdir(), `guardrail-isolated-${process.pid}`);
    mkdirSync(isolated, { recursive: true });
    copyFileSync(bin, join(isolated, 'guardrail.cjs'));
    try {
      const run = (args: string[]) =>
        spawnSync(process.execPath, [join(isolated, 'guardrail.cjs'), ...args], {
          cwd: isolated,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', NODE_PATH: '' },
        });
      expect(run(['--version']).stdout).toBe(`${pkg.version}\n`);
      expect(run(['explain', 'td-privileged']).stdout).toContain('Security Hub: ECS.4');
      const r = run(['evaluate', '--format', 'json', EVENT]);
      expect(r.stderr).not.toMatch(/Cannot find module/);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('"ruleId":"td-privileged"');
    } finally {
      rmSync(isolated, { recursive: true, force: true });
    }
  });
});
