/**
 * The functions' one Logger and one Metrics (Powertools), and `lambda(handler)`: the middy middlewares
 * every function wears. They add the Lambda context to every log line (never the event: it may hold
 * secrets, and findings may name resources people consider sensitive) and flush the EMF metrics with a
 * cold-start metric.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { Metrics as LibraryMetrics } from '../../shared/model/metrics';
import { readRuntime } from './env';

const runtime = readRuntime();

export const logger = new Logger({ serviceName: runtime.serviceName });
export const metrics = new Metrics({ namespace: runtime.metricsNamespace, serviceName: runtime.serviceName });

/** The library's Metrics interface (shared/model/metrics.ts) on EMF. */
export const emf: Required<LibraryMetrics> = {
  count: (name, value = 1) => {
    metrics.addMetric(name, MetricUnit.Count, value);
  },
  countWith: (name, dimensions, value = 1) => {
    const single = metrics.singleMetric();
    single.addDimensions(dimensions);
    single.addMetric(name, MetricUnit.Count, value);
  },
  timing: (name, ms) => {
    metrics.addMetric(name, MetricUnit.Milliseconds, ms);
  },
};

/**
 * A configuration or policy error at start-up: counted and logged (the type and message, which name
 * the variable or the policy path, never a value), then re-thrown so the invocation fails and is retried.
 */
export function reportConfigurationError(what: string, err: unknown): void {
  metrics.addMetric('ConfigurationErrors', MetricUnit.Count, 1);
  logger.error(`cannot start the ${what}: configuration error`, {
    errorType: err instanceof Error ? err.name : 'NonError',
    error: err instanceof Error ? err.message : String(err),
  });
}

/** The handler with the functions' middlewares. */
export function lambda<E, R>(handler: (event: E, context: Context) => Promise<R>) {
  return middy(handler)
    .use(injectLambdaContext(logger, { logEvent: false, resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
