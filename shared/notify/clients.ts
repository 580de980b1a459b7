/**
 * Timeouts for every AWS call the notifier makes (SNS, SQS, SSM, DynamoDB, Security Hub): the SDK's own
 * NodeHttpHandler options, so a hanging endpoint fails the call instead of eating the Lambda's time.
 * Values are per attempt; the SDK's retries multiply them (SNS publishes use one attempt: notifier.ts).
 *
 * `throwOnRequestTimeout` is required: without it the handler (@smithy/node-http-handler 4.x) only logs
 * a warning when `requestTimeout` passes and keeps waiting (a hanging SNS Publish waited 30 s and more in
 * test/integration/notifier-slow-channels.test.ts before this was set).
 */
export interface HttpTimeouts {
  /** Milliseconds to establish the connection. */
  readonly connectionTimeout: number;
  /** Milliseconds of socket inactivity before the request fails (TimeoutError). */
  readonly requestTimeout: number;
}

export const NOTIFY_HTTP_TIMEOUTS: HttpTimeouts = { connectionTimeout: 3_000, requestTimeout: 5_000 };

/** Client configuration with the notifier's timeouts (`requestHandler` takes NodeHttpHandler options). */
export function notifyClientConfig(
  timeouts: HttpTimeouts = NOTIFY_HTTP_TIMEOUTS,
  extra: { readonly maxAttempts?: number } = {},
): { requestHandler: HttpTimeouts & { throwOnRequestTimeout: true }; maxAttempts?: number } {
  return { requestHandler: { ...timeouts, throwOnRequestTimeout: true }, ...extra };
}

/** Longest one AWS call can take (connection + request), for deadline checks before starting one. */
export function callBudgetMs(timeouts: HttpTimeouts = NOTIFY_HTTP_TIMEOUTS): number {
  return timeouts.connectionTimeout + timeouts.requestTimeout;
}
