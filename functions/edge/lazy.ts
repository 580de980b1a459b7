/**
 * The one lazy loader of the functions: an object with the given methods that loads the real one on the
 * first call (used for the enricher and the remediator, whose SDKs must not load at cold start). A failed
 * load rejects that call and is tried again on the next; `loaded` says whether a load was started.
 */
type AsyncMethodKeys<T> = {
  [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? K : never;
}[keyof T];

export type Lazy<T, K extends keyof T> = Pick<T, K> & { readonly loaded: boolean };

export function lazy<T, K extends AsyncMethodKeys<T>>(
  load: () => Promise<T>,
  methods: readonly K[],
): Lazy<T, K> {
  let real: Promise<T> | undefined;
  const get = (): Promise<T> =>
    (real ??= load().catch((err: unknown) => {
      real = undefined; // try again on the next call
      throw err;
    }));
  const out: Record<PropertyKey, unknown> = {};
  for (const m of methods)
    out[m] = async (...args: unknown[]) => {
      const target = await get();
      return (target[m] as (...a: unknown[]) => Promise<unknown>).apply(target, args);
    };
  Object.defineProperty(out, 'loaded', { get: () => real !== undefined, enumerable: true });
  return out as unknown as Lazy<T, K>;
}
