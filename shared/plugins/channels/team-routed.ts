/**
 * What the sections of the PagerDuty, Jira, Microsoft Teams, email and webhook channels share: secret
 * references (never secret values), the team tag and team routes like Slack's, and the merge over the
 * defaults.
 */
import * as v from 'valibot';
import { SEVERITIES, type Severity } from '../../model/finding';

const SSM_PARAMETER = /^(arn:aws[\w-]*:ssm:[a-z0-9-]+:\d{12}:parameter)?\/?[A-Za-z0-9_.\-/]{1,1011}$/;
const SECRETS_MANAGER_ARN =
  /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;

/** Where a secret lives: an SSM SecureString parameter name or a Secrets Manager secret ARN. */
export const SecretRefSchema = v.pipe(
  v.string(),
  v.check(
    (s) => SSM_PARAMETER.test(s) || SECRETS_MANAGER_ARN.test(s),
    'must name an SSM SecureString parameter (e.g. /guardrail/pagerduty/default) or a Secrets Manager secret ARN, never hold the secret',
  ),
);

export const TeamTagSchema = v.pipe(
  v.string(),
  v.regex(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u, 'must be a tag key'),
);

export const MinSeveritySchema = v.picklist(SEVERITIES);

/** `teams:` of a section: a map of team name (the tag value) to its route. */
export function teamsSchema<T extends v.ObjectEntries>(route: T) {
  return v.optional(
    v.nullable(
      v.record(
        v.pipe(v.string(), v.minLength(1, 'must not be empty')),
        v.strictObject({ ...route, minSeverity: v.optional(MinSeveritySchema) }),
      ),
    ),
  );
}

export interface TeamRoutedSection<R> {
  readonly enabled: boolean;
  readonly minSeverity: Severity;
  readonly teamTag: string;
  readonly teams: Readonly<Record<string, R>>;
}

/** The given keys over the defaults (null and absent keys keep the default; `teams` defaults to none). */
export function resolveTeamRouted<S extends TeamRoutedSection<unknown>>(defaults: S) {
  return (given: { readonly [K in keyof S]?: S[K] | null }): S =>
    ({
      ...defaults,
      ...Object.fromEntries(Object.entries(given).filter(([, x]) => x !== undefined && x !== null)),
      teams: given.teams ?? {},
    }) as S;
}
