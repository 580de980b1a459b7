/**
 * test/setup/tools.ts, the integration tests' global setup, when a tool is missing: with a PATH that hides
 * moto_server, cfn-lint and Chromium and provisioning off (GUARDRAIL_NO_PROVISION=1), each is named with
 * the command that installs it; the provisioning itself (python3 -m venv + pip, apt-get) was run by hand
 * on a PATH hiding the tools (README, "On a fresh machine").
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findOnPath, provisionChromium, provisionPythonTools } from '../setup/tools';

const tmp = mkdtempSync(join(tmpdir(), 'guardrail-tools-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function fakeTool(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\nexit 0\n');
  chmodSync(path, 0o755);
  return path;
}

const saved = { PATH: process.env.PATH, CHROMIUM_PATH: process.env.CHROMIUM_PATH };
beforeEach(() => {
  process.env.PATH = join(tmp, 'empty');
  delete process.env.CHROMIUM_PATH;
});
afterEach(() => {
  process.env.PATH = saved.PATH;
  if (saved.CHROMIUM_PATH === undefined) delete process.env.CHROMIUM_PATH;
  else process.env.CHROMIUM_PATH = saved.CHROMIUM_PATH;
});

describe('test setup: the tools the integration tests need', () => {
  it('findOnPath finds a tool in any PATH entry, else nothing', () => {
    const bin = join(tmp, 'bin-a');
    const tool = fakeTool(bin, 'moto_server');
    expect(findOnPath('moto_server', `${join(tmp, 'nope')}:${bin}`)).toBe(tool);
    expect(findOnPath('moto_server', join(tmp, 'nope'))).toBeUndefined();
    expect(findOnPath('moto_server', '')).toBeUndefined();
  });

  it('moto_server and cfn-lint hidden: both named with the pip command that installs them', () => {
    const problem = provisionPythonTools(false);
    expect(problem).toContain('moto_server, cfn-lint not found on the PATH nor in .venv/bin');
    expect(problem).toContain("pip install 'moto[server]>=5.2,<6' 'cfn-lint'");
  });

  it('only cfn-lint hidden: only it is named', () => {
    const bin = join(tmp, 'bin-b');
    fakeTool(bin, 'moto_server');
    process.env.PATH = bin;
    expect(provisionPythonTools(false)).toMatch(/^cfn-lint not found .*pip install 'cfn-lint'/);
    fakeTool(bin, 'cfn-lint');
    expect(provisionPythonTools(false)).toBeUndefined();
  });

  it('Chromium hidden: the message says what to install; found under any of its names; CHROMIUM_PATH wins', () => {
    expect(provisionChromium(false).problem).toMatch(
      /^Chromium not found: install Chromium \(Debian\/Ubuntu: apt-get install -y chromium/,
    );
    const bin = join(tmp, 'bin-c');
    const chromium = fakeTool(bin, 'chromium-browser');
    process.env.PATH = bin;
    expect(provisionChromium(false)).toEqual({ path: chromium });
    process.env.CHROMIUM_PATH = join(tmp, 'no-such-chromium');
    expect(provisionChromium(false).problem).toContain('does not exist');
  });
});
