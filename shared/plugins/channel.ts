/**
 * What the policy, the docs and the infrastructure know of a notification channel: its declaration.
 * It lives below the policy (which validates each channel's section from it); the delivery side
 * (shared/notify/channels/<name>/) spreads its declaration into its `Channel` and adds routing and
 * delivery, so nothing is written twice.
 */
import type * as v from 'valibot';
import type { Severity } from '../model/finding';

/** Every channel's policy section has at least these (`notifications.<name>.enabled`, `.minSeverity`). */
export interface ChannelSection {
  readonly enabled: boolean;
  readonly minSeverity: Severity;
}

/** A section as the policy file gives it: every key optional (a mapping may be null). */
export type SectionInput<S> = { readonly [K in keyof S]?: S[K] | null };

/** An environment variable a channel reads (serverless.yml sets it; docs/notifications.md lists it). */
export interface ChannelEnvVar {
  readonly name: string;
  readonly description: string;
}

export interface ChannelSpec<S extends ChannelSection = ChannelSection> {
  /** Its key under `notifications:` in the policy, and in the notifier's dependencies. */
  readonly name: string;
  readonly title: string;
  /** Its policy section (a strict object: unknown keys are errors), every key optional. */
  readonly policySchema: v.GenericSchema<unknown, SectionInput<S>>;
  readonly defaults: S;
  /** Merge a parsed section over the defaults (default: shallow). */
  resolve?(given: SectionInput<S>): S;
  readonly environment: readonly ChannelEnvVar[];
  /** What the notifier's role needs (infra/iam.yml NotifierRole; a test checks it grants them). */
  readonly iamPermissions: readonly string[];
}

/** Type-checks a declaration (the section type inferred). */
export function defineChannelSpec<S extends ChannelSection>(c: ChannelSpec<S>): ChannelSpec<S> {
  return c;
}
