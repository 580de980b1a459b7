/** td-exec-role-is-task-role: the application gets the agent's permissions (image pulls, secrets, logs). */
import { TD } from './task-definition/helpers';
import { resourceRule } from './types';

/**
 * A role reference (short name or ARN, path allowed) as `<account>|<name>`, lower-cased: IAM role names
 * are unique case-insensitively, and a short name has no account (it matches any).
 */
function roleKey(ref: string): { account?: string; name: string } {
  const s = ref.trim();
  const name = s.slice(s.lastIndexOf('/') + 1).toLowerCase();
  const account = s.startsWith('arn:') ? s.split(':')[4] : undefined;
  return account ? { account, name } : { name };
}

export function sameRole(a: string, b: string): boolean {
  const ka = roleKey(a);
  const kb = roleKey(b);
  if (ka.name === '' || ka.name !== kb.name) return false;
  return ka.account === undefined || kb.account === undefined || ka.account === kb.account;
}

export const tdExecRoleIsTaskRole = resourceRule({
  family: 'resource',
  id: 'td-exec-role-is-task-role',
  title: 'Task role and execution role are the same role',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: '`taskRoleArn` and `executionRoleArn` are both set and name the same role.',
  advice:
    'Use separate roles: the execution role (image pulls, secrets, logs for the agent) is not for the application.',
  controls: { checkov: 'CKV_AWS_249' },
  ownFrameworks: { 'nist-800-53-r5': ['AC-5', 'AC-6'], 'pci-dss-4.0.1': ['7.2.2'] },
  check: (td) =>
    td.taskRoleArn && td.executionRoleArn && sameRole(td.taskRoleArn, td.executionRoleArn)
      ? [
          {
            path: 'taskRoleArn',
            message: `task role and execution role are the same role (${td.taskRoleArn.trim()})`,
          },
        ]
      : [],
});
