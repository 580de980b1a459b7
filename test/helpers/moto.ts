/**
 * Start moto_server on a free loopback port for integration tests, and stop it after.
 * Fails loudly (never skips) when moto_server is missing.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface Moto {
  /** e.g. http://127.0.0.1:53123 */
  readonly endpoint: string;
  /** Wipe every backend (state-manager transitions survive a reset). */
  reset(): Promise<void>;
  /** Set a moto state-manager transition, e.g. keep ECS tasks RUNNING. */
  setTransition(modelName: string, transition: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

export const TEST_CREDENTIALS = { accessKeyId: 'testing', secretAccessKey: 'testing' } as const;

export function assertMotoInstalled(): void {
  const r = spawnSync('moto_server', ['--help'], { stdio: 'ignore' });
  if (r.error || r.status !== 0) {
    throw new Error(
      "moto_server is not installed or not on PATH, and test/setup/tools.ts could not install it into .venv/ (its message is above). Install it with: pip install 'moto[server]>=5.2,<6'",
    );
  }
}

export async function startMoto(env: Record<string, string> = {}): Promise<Moto> {
  assertMotoInstalled();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`moto_server did not start in 20 s:\n${out}`)), 20_000);
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
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with code ${code}:\n${out}`));
    });
  });
  // Drain output so the pipe never fills up and blocks the server.
  child.stdout?.resume();
  child.stderr?.resume();
  for (let i = 0; i < 100; i++) {
    try {
      const r = await fetch(`${endpoint}/moto-api/`);
      if (r.ok) break;
    } catch {
      // not ready yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const post = async (path: string, body?: unknown): Promise<void> => {
    const r = await fetch(`${endpoint}${path}`, {
      method: 'POST',
      body: body ? JSON.stringify(body) : undefined,
    });
    if (!r.ok) throw new Error(`moto ${path}: HTTP ${r.status}`);
  };
  return {
    endpoint,
    reset: () => post('/moto-api/reset'),
    setTransition: (model_name, transition) =>
      post('/moto-api/state-manager/set-transition', { model_name, transition }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 3000).unref();
      }),
  };
}

/** Client config for an SDK v3 client talking to moto. `maxAttempts: 1` so moto 500s are not retried. */
export function motoClientConfig(moto: Moto, region = 'us-east-1') {
  return { endpoint: moto.endpoint, region, credentials: TEST_CREDENTIALS, maxAttempts: 1 };
}
