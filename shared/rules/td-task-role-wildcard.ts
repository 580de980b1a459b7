/**
 * td-task-role-wildcard: the task role grants every action of a service (or of all of AWS) on every
 * resource: a compromised container gets all of it. Reads the role's policies that enrichment (or the
 * sweep) fetched from IAM; without them there is no verdict.
 *
 * - Only `Effect: Allow` statements grant. A Deny statement is not subtracted: the rule flags a grant as
 *   written, it does not compute effective permissions (a Deny elsewhere, a permission boundary or an SCP
 *   may narrow it; the evidence names the statement so a reviewer can check).
 * - A `Condition` is assumed not to narrow the grant (the evidence says it is there).
 * - `NotAction` with Allow grants every action except the listed ones, which is broader than any
 *   `<service>:*`: flagged. `NotResource` with Allow grants on every resource except the listed ones:
 *   treated like `Resource: "*"`.
 */
import type { Evidence } from '../model/finding';
import type { PolicyStatement, RolePolicy } from '../model/resources';
import { TD } from './task-definition/helpers';
import { resourceRule } from './types';

/** `*`, `*:*` or `<service>:*` (any case). */
export function isWildcardAction(action: string): boolean {
  return /^(?:\*|[a-z0-9*-]+:\*)$/i.test(action.trim());
}

/** What makes a statement a wildcard grant, in words; undefined when it is not one. */
export function wildcardGrant(s: PolicyStatement): string | undefined {
  if (s.effect.trim().toLowerCase() !== 'allow') return undefined;
  const actions = s.action?.filter(isWildcardAction) ?? [];
  const actionText = s.notAction
    ? `every action except ${quoteList(s.notAction)} (NotAction)`
    : actions.length
      ? `Action ${quoteList(actions)}`
      : undefined;
  if (!actionText) return undefined;
  const resourceText = s.notResource
    ? `every resource except ${quoteList(s.notResource)} (NotResource)`
    : s.resource?.some((r) => r.trim() === '*')
      ? 'Resource "*"'
      : undefined;
  if (!resourceText) return undefined;
  return `${actionText} on ${resourceText}${s.hasCondition ? ' (has a Condition, assumed not to narrow it)' : ''}`;
}

const MAX_LISTED = 3;
function quoteList(list: readonly string[]): string {
  const shown = list.slice(0, MAX_LISTED).map((x) => `"${x.length > 64 ? `${x.slice(0, 63)}…` : x}"`);
  return list.length > MAX_LISTED
    ? `${shown.join(', ')} and ${list.length - MAX_LISTED} more`
    : shown.join(', ');
}

function policyLabel(p: RolePolicy): string {
  return `${p.source === 'inline' ? 'inline' : 'managed'} policy "${p.name}"`;
}

export const tdTaskRoleWildcard = resourceRule({
  family: 'resource',
  id: 'td-task-role-wildcard',
  title: 'Task role allows every action on every resource',
  severity: 'high',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    'The task role has an attached or inline policy statement with `Effect: Allow`, an `Action` of `*` or `<service>:*` (or `NotAction`) and `Resource` `*` (or `NotResource`); needs enrichment (IAM).',
  advice:
    'Follow least privilege: give each task its own role that allows only the actions and resources the application calls.',
  controls: {
    config: 'iam-policy-no-statements-with-full-access',
    prowler: 'iam_inline_policy_no_administrative_privileges',
    seeds: ['G-01 Follow least privilege'],
  },
  ownFrameworks: { 'nist-800-53-r5': ['AC-6', 'AC-3'], 'pci-dss-4.0.1': ['7.2.1', '7.2.2'] },
  check: (td) => {
    const role = td.taskRole;
    if (!role?.exists) return [];
    const out: Evidence[] = [];
    for (const p of role.policies)
      p.statements.forEach((s, i) => {
        const grant = wildcardGrant(s);
        if (!grant) return;
        out.push({
          path: `taskRoleArn (${policyLabel(p)}, Statement[${i}]${s.sid ? ` "${s.sid.slice(0, 64)}"` : ''})`,
          message: `task role ${td.taskRoleArn ?? role.roleArn}: ${policyLabel(p)} allows ${grant}`,
        });
      });
    return out;
  },
});
