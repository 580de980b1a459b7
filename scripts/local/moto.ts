/**
 * moto_server for the local pipeline: started on a free port of 127.0.0.1 (never another interface),
 * stopped with the process. An existing server may be given instead, but only on a loopback address.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface MotoServer {
  readonly endpoint: string;
  /** True when this process started it (and stops it). */
  readonly owned: boolean;
  stop(): Promise<void>;
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\]):\d{1,5}\/?$/;

/** Throws unless `endpoint` is an http URL on a loopback address with an explicit port. */
export function assertLoopback(endpoint: string): string {
  if (!LOOPBACK.test(endpoint))
    throw new Error(`--endpoint must be http://127.0.0.1:<port> (loopback only), got ${endpoint}`);
  return endpoint.replace(/\/$/, '');
}

async function waitReady(endpoint: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok) return;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server at ${endpoint} did not answer`);
}

/**
 * moto_server under a small shell watchdog, in its own process group:
 * - its own group, so a terminal's Ctrl-C (SIGINT to the foreground group) does not kill it before the
 *   caller has read what it needs; `stop` (and this process's exit) kill the whole group;
 * - the watchdog waits on its stdin, a pipe from this process: when this process dies in any way (even
 *   SIGKILL), the pipe closes and the watchdog kills moto_server. Nothing outlives the caller.
 */
const WATCHDOG = [
  "command -v moto_server >/dev/null 2>&1 || { echo 'moto_server: not found' >&2; exit 127; }",
  'moto_server -H 127.0.0.1 -p 0 & m=$!',
  'read _ignored',
  'kill $m 2>/dev/null',
  'wait $m',
].join('\n');

export async function startMotoServer(timeoutMs = 20_000): Promise<MotoServer> {
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = (): void => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  process.once('exit', killGroup);
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      killGroup();
      reject(new Error(`moto_server did not start in ${timeoutMs / 1000} s:\n${out}`));
    }, timeoutMs);
    const onData = (b: Buffer): void => {
      out += b.toString();
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start moto_server: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(
        new Error(
          code === 127
            ? "moto_server is not installed or not on PATH: pip install 'moto[server]' (moto 5.2.x)"
            : `moto_server exited with code ${code}:\n${out}`,
        ),
      );
    });
  });
  // Keep draining its output so a full pipe never blocks the server (so never block this event loop
  // for long while it runs: no spawnSync).
  child.stdout?.resume();
  child.stderr?.resume();
  await waitReady(endpoint, Date.now() + timeoutMs);
  return {
    endpoint,
    owned: true,
    stop: () =>
      new Promise<void>((resolve) => {
        process.removeListener('exit', killGroup);
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.stdin?.end(); // the watchdog stops moto_server and exits
        setTimeout(killGroup, 3000).unref();
      }),
  };
}

export async function useMotoServer(endpoint: string): Promise<MotoServer> {
  const url = assertLoopback(endpoint);
  await waitReady(url, Date.now() + 5000);
  return { endpoint: url, owned: false, stop: async () => undefined };
}
