/**
 * The one metrics interface of the library (EMF through Powertools Metrics in the Lambdas:
 * functions/edge/observability.ts; nothing in the CLI and most tests).
 */
export interface Metrics {
  /** Add to a metric of this invocation (flushed by the middleware). */
  count(name: string, value?: number): void;
  /** A metric with its own dimensions, e.g. findings per rule and severity. */
  countWith(name: string, dimensions: Record<string, string>, value?: number): void;
  /** A duration in milliseconds. */
  timing?(name: string, ms: number): void;
}

export const noMetrics: Metrics = { count: () => undefined, countWith: () => undefined };
