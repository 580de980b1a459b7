/**
 * The errors of the HTTP and SES channels (PagerDuty, Jira, Microsoft Teams, email, webhook): one class
 * carrying what the notifier needs to decide (retryable, HTTP status, Retry-After, sent-but-unanswered,
 * not tried). Messages name the service, the status and the secret's NAME, never a URL, a token, a
 * request or a response body.
 */
import { GuardrailError } from '../../base/errors';

export class ChannelDeliveryError extends GuardrailError {
  override readonly name: string = 'ChannelDeliveryError';
  constructor(
    message: string,
    /** False when trying again cannot help (a 4xx other than 408/429, a missing secret). */
    readonly retryable: boolean,
    readonly status?: number,
    /** The service asked to wait this long before the next attempt. */
    readonly retryAfterMs?: number,
    /** Sent, but no answer came in time: the service may have it. */
    readonly unconfirmed = false,
    /** Not sent at all (no time left before the deadline). */
    readonly attempted = true,
  ) {
    super(message);
  }
}

/** A channel's configuration or secret is missing or wrong: only a configuration change fixes it. */
export class ChannelConfigError extends ChannelDeliveryError {
  override readonly name = 'ChannelConfigError';
  constructor(message: string, retryable = false, status?: number) {
    super(message, retryable, status);
  }
}
