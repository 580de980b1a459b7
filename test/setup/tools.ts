/**
 * Vitest global setup of the integration tests: finds, else provisions, the tools they drive, so that
 * `npm ci && npm test` works on a fresh machine (README, "On a fresh machine"):
 *
 * - moto_server and cfn-lint: on the PATH, else in the project-local Python environment `.venv/` (made with
 *   `python3 -m venv` and `pip install` when missing); `.venv/bin` is put first on the tests' PATH.
 * - Chromium (the HTML report test): CHROMIUM_PATH, else `chromium`, `chromium-browser`, `google-chrome` on
 *   the PATH, else Debian's `chromium` package through apt-get when running as root; the path found goes
 *   to the tests as CHROMIUM_PATH.
 *
 * What cannot be provisioned is said once here, with the command to run; the tests that need it then fail
 * with their own message (never skipped). GUARDRAIL_NO_PROVISION=1 only looks, installs nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const VENV = join(ROOT, '.venv');
const VENV_BIN = join(VENV, 'bin');
/** What the tests were written against (moto 5.2.x: docs/local-pipeline.md). */
export const PYTHON_TOOLS = { moto_server: 'moto[server]>=5.2,<6', 'cfn-lint': 'cfn-lint' } as const;
const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The full path of `name` on `path`, or undefined. */
export function findOnPath(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const log = (s: string): void => void process.stderr.write(`test setup: ${s}\n`);

function run(cmd: string, args: string[]): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`.trim();
  return { ok: !r.error && r.status === 0, output };
}

const lastLines = (s: string, n = 6): string => s.split('\n').slice(-n).join('\n');

/** moto_server and cfn-lint: found, or installed into .venv; returns what is still missing, with why. */
export function provisionPythonTools(provision: boolean): string | undefined {
  const missing = (Object.keys(PYTHON_TOOLS) as (keyof typeof PYTHON_TOOLS)[]).filter((t) => !findOnPath(t));
  if (!missing.length) return undefined;
  const howTo = `pip install ${missing.map((t) => `'${PYTHON_TOOLS[t]}'`).join(' ')} (or python3 -m venv .venv && .venv/bin/pip install ...)`;
  if (!provision) return `${missing.join(', ')} not found on the PATH nor in .venv/bin: ${howTo}`;
  log(`${missing.join(', ')} not on the PATH: installing into .venv/ (python3 -m venv, pip install)`);
  if (!existsSync(join(VENV_BIN, 'pip'))) {
    const venv = run('python3', ['-m', 'venv', VENV]);
    if (!venv.ok)
      return `cannot create .venv with python3 -m venv (install python3 and its venv module, e.g. apt-get install python3-venv): ${lastLines(venv.output)}`;
  }
  const pip = run(join(VENV_BIN, 'pip'), ['install', '--quiet', ...missing.map((t) => PYTHON_TOOLS[t])]);
  if (!pip.ok)
    return `pip could not install ${missing.join(', ')} into .venv (no access to a Python package index?): ${lastLines(pip.output)}\nInstall them yourself: ${howTo}`;
  const still = missing.filter((t) => !findOnPath(t));
  return still.length ? `${still.join(', ')} still missing after pip install: ${howTo}` : undefined;
}

/** Chromium: found, or installed from Debian's package; returns its path or why there is none. */
export function provisionChromium(provision: boolean): { path?: string; problem?: string } {
  const given = process.env.CHROMIUM_PATH;
  if (given)
    return existsSync(given) ? { path: given } : { problem: `CHROMIUM_PATH=${given} does not exist` };
  const found = (): string | undefined => CHROMIUM_NAMES.map((n) => findOnPath(n)).find(Boolean);
  const path = found();
  if (path) return { path };
  const howTo =
    'install Chromium (Debian/Ubuntu: apt-get install -y chromium; macOS: brew install --cask chromium) or set CHROMIUM_PATH';
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!provision || !root || !findOnPath('apt-get')) return { problem: `Chromium not found: ${howTo}` };
  log("chromium not found: installing Debian's package (apt-get install chromium)");
  const update = run('apt-get', ['update', '-qq']);
  const install = update.ok
    ? run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'])
    : update;
  const after = found();
  return after
    ? { path: after }
    : { problem: `apt-get could not install chromium: ${lastLines(install.output)}\n${howTo}` };
}

export default function setup(): void {
  const provision = process.env.GUARDRAIL_NO_PROVISION !== '1';
  // The project-local environment, when there is one, comes first (the tests spawn moto_server by name).
  if (existsSync(VENV_BIN)) process.env.PATH = `${VENV_BIN}${delimiter}${process.env.PATH ?? ''}`;
  const python = provisionPythonTools(provision);
  if (existsSync(VENV_BIN) && !(process.env.PATH ?? '').startsWith(VENV_BIN))
    process.env.PATH = `${VENV_BIN}${delimiter}${process.env.PATH ?? ''}`;
  const chromium = provisionChromium(provision);
  if (chromium.path) process.env.CHROMIUM_PATH = chromium.path;
  for (const problem of [python, chromium.problem]) if (problem) log(`MISSING: ${problem}`);
}
