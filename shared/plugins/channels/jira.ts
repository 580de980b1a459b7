/** The declaration of the `jira` notification channel (Jira Cloud; delivery: shared/notify/channels/jira/). */
import * as v from 'valibot';
import type { Severity } from '../../model/finding';
import { defineChannelSpec } from '../channel';
import {
  MinSeveritySchema,
  resolveTeamRouted,
  SecretRefSchema,
  TeamTagSchema,
  teamsSchema,
  type TeamRoutedSection,
} from './team-routed';

export interface JiraRoute {
  /** The team's project. */
  readonly projectKey: string;
  readonly minSeverity?: Severity;
}

export interface JiraSection extends TeamRoutedSection<JiraRoute> {
  /** The Jira Cloud site, `https://<your-domain>.atlassian.net` (nothing else is accepted). */
  readonly site?: string;
  /** Where the credentials live: JSON `{"email": "...", "apiToken": "..."}`. */
  readonly credentialsParameter?: string;
  /** The default project. */
  readonly projectKey?: string;
  readonly issueType: string;
  /** The transition applied when the finding resolves (matched by name, case-insensitive). */
  readonly resolveTransition: string;
  /** Labels added to every issue (besides the finding's own `guardrail-<hash>` label). */
  readonly labels: readonly string[];
}

const ProjectKeySchema = v.pipe(v.string(), v.regex(/^[A-Z][A-Z0-9_]{1,9}$/, 'must be a Jira project key'));
const LabelSchema = v.pipe(v.string(), v.regex(/^[^\s]{1,255}$/, 'must be a Jira label (no spaces)'));

const DEFAULTS: JiraSection = {
  enabled: true,
  minSeverity: 'medium',
  teamTag: 'guardrail:team',
  teams: {},
  issueType: 'Task',
  resolveTransition: 'Done',
  labels: ['ecs-guardrail'],
};

export const jiraSpec = defineChannelSpec<JiraSection>({
  name: 'jira',
  title: 'Jira Cloud issues',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(MinSeveritySchema),
    site: v.optional(
      v.pipe(
        v.string(),
        v.regex(
          /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.atlassian\.net$/,
          'must be https://<your-domain>.atlassian.net',
        ),
      ),
    ),
    credentialsParameter: v.optional(SecretRefSchema),
    projectKey: v.optional(ProjectKeySchema),
    issueType: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(60))),
    resolveTransition: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(60))),
    labels: v.optional(v.pipe(v.array(LabelSchema), v.maxLength(10))),
    teamTag: v.optional(TeamTagSchema),
    teams: teamsSchema({ projectKey: ProjectKeySchema }),
  }),
  defaults: DEFAULTS,
  resolve: resolveTeamRouted(DEFAULTS),
  environment: [],
  iamPermissions: ['ssm:GetParameter', 'secretsmanager:GetSecretValue', 'dynamodb:GetItem'],
});
