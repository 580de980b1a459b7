/**
 * Counts AWS calls per API through SDK middleware: `calls` once per logical call (retries excluded),
 * `attempts` once per HTTP attempt (retries included). Used by the benchmark, the tests that assert
 * the task definition cache, and the sweep function's log line.
 */

interface MiddlewareContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

type Handler = (args: unknown) => Promise<unknown>;

/** The part of an SDK v3 client the counter needs (every client has it). */
export interface CountableClient {
  readonly middlewareStack: {
    add(
      mw: (next: Handler, context: MiddlewareContext) => Handler,
      options: { step: 'initialize' | 'deserialize'; name: string; override?: boolean },
    ): void;
  };
}

function operationKey(context: MiddlewareContext): string {
  const service = (context.clientName ?? 'aws').replace(/Client$/, '').toLowerCase();
  const op = (context.commandName ?? 'Unknown').replace(/Command$/, '');
  return `${service}:${op}`;
}

export class CallCounter {
  readonly calls = new Map<string, number>();
  readonly attempts = new Map<string, number>();

  /** Attach to a client; returns the client. Attaching the same counter twice replaces the first. */
  attach<C>(client: C): C {
    const stack = (client as unknown as CountableClient).middlewareStack;
    stack.add(
      (next, context) => async (args) => {
        bump(this.calls, operationKey(context));
        return next(args);
      },
      { step: 'initialize', name: 'guardrailCallCounter', override: true },
    );
    stack.add(
      (next, context) => async (args) => {
        bump(this.attempts, operationKey(context));
        return next(args);
      },
      { step: 'deserialize', name: 'guardrailAttemptCounter', override: true },
    );
    return client;
  }

  /** Calls of one operation, e.g. `count('ecs:DescribeTaskDefinition')`. */
  count(key: string): number {
    return this.calls.get(key) ?? 0;
  }

  total(): number {
    let n = 0;
    for (const v of this.calls.values()) n += v;
    return n;
  }

  /** Sorted plain object, e.g. for JSON logs. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.calls.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  reset(): void {
    this.calls.clear();
    this.attempts.clear();
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}
