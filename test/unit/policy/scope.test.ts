/**
 * The policy's `scope.allowAccounts`: loading (a clear PolicyError naming the key) and which accounts an
 * event names (shared/policy/scope.ts). The pipeline step is tested through the real handlers in
 * test/integration/pipeline-scope.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../../shared/events/parse';
import { PolicyError } from '../../../shared/policy/errors';
import { parsePolicy } from '../../../shared/policy/load';
import { accountsNamedBy, accountsOutsideScope, NOT_AN_ACCOUNT } from '../../../shared/policy/scope';
import { loadFixture } from '../../helpers/fixtures';

const ALLOWED = '111122223333';
const FOREIGN = '999988887777';

const fixture = (name: string): Record<string, any> => loadFixture<Record<string, any>>(`${name}.json`);

function policyError(yaml: string): PolicyError {
  try {
    parsePolicy(yaml, 'policy.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return err as PolicyError;
  }
  throw new Error(`expected a PolicyError for:\n${yaml}`);
}

describe('policy scope.allowAccounts', () => {
  it('absent, null or empty: every account (an empty list)', () => {
    for (const text of ['', 'scope:\n', 'scope:\n  allowAccounts:\n', 'scope:\n  allowAccounts: []\n'])
      expect(parsePolicy(text).scope).toEqual({ allowAccounts: [] });
  });

  it('accepts quoted 12-digit ids', () => {
    expect(parsePolicy(`scope:\n  allowAccounts: ['${ALLOWED}', '012345678901']\n`).scope).toEqual({
      allowAccounts: [ALLOWED, '012345678901'],
    });
  });

  it.each([
    ['scope:\n  allowAccounts: [012345678901]\n', 'scope.allowAccounts.0', 'quote it in YAML'],
    ["scope:\n  allowAccounts: ['1234']\n", 'scope.allowAccounts.0', 'must be a 12-digit account id'],
    ["scope:\n  allowAccount: ['111122223333']\n", 'scope.allowAccount', 'unknown key'],
    ['scope: all\n', 'scope', 'expected Object'],
  ])('rejects %j naming %s', (yaml, key, problem) => {
    const err = policyError(yaml);
    expect(err.key).toBe(key);
    expect(err.message).toContain(problem);
  });

  it('rejects a remediation account outside the scope (it would never be remediated)', () => {
    const err = policyError(
      `scope:\n  allowAccounts: ['${ALLOWED}']\nremediation:\n  allowAccounts: ['${ALLOWED}', '${FOREIGN}']\n`,
    );
    expect(err.key).toBe('remediation.allowAccounts.1');
    expect(err.message).toContain('not in scope.allowAccounts');
    // Without a scope list every account is in scope: any remediation list is fine.
    expect(parsePolicy(`remediation:\n  allowAccounts: ['${FOREIGN}']\n`).scope).toEqual({
      allowAccounts: [],
    });
  });
});

describe('accounts an event names', () => {
  const scope = { scope: { allowAccounts: [ALLOWED] } };

  it('every fixture event of the allowed account names only that account', () => {
    let checked = 0;
    for (const name of [
      'cloudtrail-register-task-definition-privileged',
      'cloudtrail-create-service-assign-public-ip',
      'cloudtrail-throttling-exception',
      'ecs-task-state-change-stopped-essential-container-exited',
      'ecs-deployment-state-change-failed-circuit-breaker',
      'ecs-service-action-operation-throttled',
    ]) {
      const e = parseEvent(fixture(name));
      if (e.envelope.account !== ALLOWED) continue;
      expect(accountsNamedBy(e), name).toEqual([ALLOWED]);
      expect(accountsOutsideScope(e, scope), name).toEqual([]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('a resource ARN in a response that names another account is outside (what the finding would be about)', () => {
    const raw = fixture('cloudtrail-register-task-definition-privileged');
    delete raw.detail.recipientAccountId;
    raw.detail.responseElements.taskDefinition.taskDefinitionArn = String(
      raw.detail.responseElements.taskDefinition.taskDefinitionArn,
    ).replace(ALLOWED, FOREIGN);
    expect(accountsOutsideScope(parseEvent(raw), scope)).toEqual([FOREIGN]);
  });

  it('the caller identity of another account does not count (cross-account callers are normal)', () => {
    const raw = fixture('cloudtrail-create-service-assign-public-ip');
    raw.detail.userIdentity.accountId = FOREIGN;
    raw.detail.userIdentity.arn = `arn:aws:sts::${FOREIGN}:assumed-role/Deploy/ci`;
    expect(accountsOutsideScope(parseEvent(raw), scope)).toEqual([]);
  });

  it('a recipientAccountId that is not an id is outside, and reported without its value', () => {
    const raw = fixture('cloudtrail-create-service-assign-public-ip');
    raw.detail.recipientAccountId = 'x'.repeat(10_000);
    expect(accountsOutsideScope(parseEvent(raw), scope)).toEqual([NOT_AN_ACCOUNT]);
  });

  it('without a list nothing is computed: every account is in scope', () => {
    const raw = fixture('cloudtrail-create-service-assign-public-ip');
    raw.account = FOREIGN;
    expect(accountsOutsideScope(parseEvent(raw), {})).toEqual([]);
    expect(accountsOutsideScope(parseEvent(raw), { scope: { allowAccounts: [] } })).toEqual([]);
  });
});
