/** The policy's `remediation:` section: defaults, values, and a PolicyError naming the key for bad values. */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../../shared/policy/errors';
import { DEFAULT_POLICY, DEFAULT_REMEDIATION_POLICY, parsePolicy } from '../../../shared/policy/load';

function errorOf(yaml: string): PolicyError {
  try {
    parsePolicy(yaml, 'p.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(PolicyError);
    return err as PolicyError;
  }
  throw new Error(`expected a PolicyError for:\n${yaml}`);
}

describe('remediation policy section', () => {
  it('defaults: budget 10, no guardrail roles, home account only, no role, in-use revisions kept', () => {
    const { actions, ...limits } = DEFAULT_POLICY.remediation!;
    expect(limits).toEqual({ budgetPerHour: 10, guardrailRoleArns: [] });
    // The actions this section's keys are about; another action adds its own parameters beside them.
    expect(actions['deregister-task-definition']).toEqual({
      deregisterInUse: false,
      stopStandaloneTasks: true,
    });
    expect(actions['enable-container-insights']).toEqual({ value: 'enabled', api: 'UpdateClusterSettings' });
    expect(parsePolicy('remediation:\n').remediation).toEqual(DEFAULT_REMEDIATION_POLICY);
  });

  it('reads every key', () => {
    const p = parsePolicy(`
remediation:
  budgetPerHour: 3
  guardrailRoleArns: ['arn:aws:iam::111122223333:role/guardrail-fn', 'arn:aws:iam::*:role/ops/*']
  allowAccounts: ['012345678901', 111122223333]
  roleName: ecs-guardrail-remediation
  externalId: guardrail-7f3a
  actions:
    deregister-task-definition: { deregisterInUse: true, stopStandaloneTasks: false }
    enable-container-insights: { value: enhanced }
`);
    const { actions, ...limits } = p.remediation!;
    expect(limits).toEqual({
      budgetPerHour: 3,
      guardrailRoleArns: ['arn:aws:iam::111122223333:role/guardrail-fn', 'arn:aws:iam::*:role/ops/*'],
      allowAccounts: ['012345678901', '111122223333'],
      roleName: 'ecs-guardrail-remediation',
      externalId: 'guardrail-7f3a',
    });
    expect(actions['deregister-task-definition']).toEqual({
      deregisterInUse: true,
      stopStandaloneTasks: false,
    });
    expect(actions['enable-container-insights']).toEqual({ value: 'enhanced', api: 'UpdateClusterSettings' });
  });

  it('maps the older spelling (deregisterInUse, stopStandaloneTasks directly under remediation:)', () => {
    const p = parsePolicy('remediation:\n  deregisterInUse: true\n  stopStandaloneTasks: false\n');
    expect(p.remediation?.actions['deregister-task-definition']).toEqual({
      deregisterInUse: true,
      stopStandaloneTasks: false,
    });
    const mixed = parsePolicy(
      'remediation:\n  deregisterInUse: true\n  actions:\n    deregister-task-definition: { stopStandaloneTasks: false }\n',
    );
    expect(mixed.remediation?.actions['deregister-task-definition']).toEqual({
      deregisterInUse: true,
      stopStandaloneTasks: false,
    });
  });

  it.each([
    ['budgetPerHour: -1', 'remediation.budgetPerHour', 'must be 0 or more'],
    ['budgetPerHour: 2.5', 'remediation.budgetPerHour', 'must be a whole number'],
    ['budgetPerHour: 5000', 'remediation.budgetPerHour', 'must be at most 1000'],
    ['budgetPerHour: ten', 'remediation.budgetPerHour', 'expected number, got "ten"'],
    [
      'guardrailRoleArns: [arn:aws:iam::1:user/bob]',
      'remediation.guardrailRoleArns.0',
      'must be an IAM role ARN',
    ],
    [
      'guardrailRoleArns: arn:aws:iam::111122223333:role/x',
      'remediation.guardrailRoleArns',
      'expected Array',
    ],
    // Unquoted 012345678901 is the number 12345678901 in YAML: 11 digits, refused with a hint.
    ['allowAccounts: [012345678901]', 'remediation.allowAccounts.0', 'quote it in YAML'],
    ["allowAccounts: ['12345']", 'remediation.allowAccounts.0', 'must be a 12-digit account id'],
    ['roleName: "bad role"', 'remediation.roleName', 'must be an IAM role name'],
    ['roleName: r\n  externalId: "x"', 'remediation.externalId', 'must be 2 to 1224 characters'],
    ['externalId: abc-123', 'remediation.externalId', 'needs remediation.roleName'],
    ['deregisterInUse: "yes"', 'remediation.deregisterInUse', 'expected boolean'],
    [
      'deregisterInUse: true\n  actions: { deregister-task-definition: { deregisterInUse: false } }',
      'remediation.deregisterInUse',
      'set it once, as remediation.actions.deregister-task-definition.deregisterInUse',
    ],
    [
      'actions: { deregister-task-definiton: {} }',
      'remediation.actions.deregister-task-definiton',
      'unknown action (did you mean deregister-task-definition?)',
    ],
    [
      'actions: { deregister-task-definition: { deregisterInuse: true } }',
      'remediation.actions.deregister-task-definition.deregisterInuse',
      'unknown parameter (did you mean deregisterInUse?) (known: deregisterInUse, stopStandaloneTasks)',
    ],
    [
      'actions: { deregister-task-definition: { stopStandaloneTasks: 1 } }',
      'remediation.actions.deregister-task-definition.stopStandaloneTasks',
      'expected boolean, got 1',
    ],
    [
      'actions: { enable-container-insights: { value: on } }',
      'remediation.actions.enable-container-insights.value',
      '"enabled" | "enhanced"',
    ],
    ['actions: { stop-task: { force: true } }', 'remediation.actions.stop-task', 'takes no parameters'],
    ['stopTasks: true', 'remediation.stopTasks', 'unknown key'],
  ])('%s -> PolicyError on %s', (line, key, problem) => {
    const err = errorOf(`remediation:\n  ${line}\n`);
    expect(err.key).toBe(key);
    expect(err.message).toContain(problem);
    expect(err.message).toContain(`p.yml: ${key}:`);
  });

  it('an error never echoes the external id', () => {
    const err = errorOf('remediation:\n  roleName: r\n  externalId: "s3cr3t value with spaces"\n');
    expect(err.message).not.toContain('s3cr3t');
  });
});
