/**
 * A rule in `approve` mode (docs/slack-app.md): the Remediator reads the resource, applies every safety
 * rule and stops at "awaiting approval: would ..." (no budget spent, no write); with an approval it acts
 * like `remediate` mode and the audit entry names who approved. Also: the engine plans it, the policy
 * refuses `approve` for a rule without an action, and `defaultMode: approve` falls back to notify there.
 */
import { DescribeServicesCommand, ECSClient, UpdateServiceCommand, type Service } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { policyFromDocument } from '../../../shared/policy/document';
import { PolicyError } from '../../../shared/policy/errors';
import { MemoryAuditLog } from '../../../shared/store/audit';
import { MemoryBudget } from '../../../shared/store/budget';
import { Remediator } from '../../../shared/remediation/remediator';
import { GUARDRAIL_ROLE, HOME, makeFinding } from './helpers';

const ecsMock = mockClient(ECSClient);
const SVC = `arn:aws:ecs:us-east-1:${HOME}:service/prod/api`;

function service(publicIp: 'ENABLED' | 'DISABLED', tags: { key: string; value: string }[] = []): Service {
  return {
    serviceArn: SVC,
    serviceName: 'api',
    clusterArn: `arn:aws:ecs:us-east-1:${HOME}:cluster/prod`,
    status: 'ACTIVE',
    deploymentController: { type: 'ECS' },
    networkConfiguration: {
      awsvpcConfiguration: { subnets: ['subnet-a'], securityGroups: ['sg-1'], assignPublicIp: publicIp },
    },
    tags,
  };
}

const policy = (yaml: Record<string, unknown> = {}) =>
  policyFromDocument({
    rules: { 'svc-public-ip': { mode: 'approve' } },
    remediation: { guardrailRoleArns: [GUARDRAIL_ROLE] },
    ...yaml,
  });

function setup(p = policy()) {
  const audit = new MemoryAuditLog();
  const budget = new MemoryBudget();
  const remediator = new Remediator({
    policy: p,
    clients: {
      allows: async () => true,
      ecs: async () => ({
        ecs: new ECSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
        principal: `arn:aws:iam::${HOME}:role/guardrail`,
      }),
    },
    budget,
    audit,
    now: () => new Date('2026-11-22T10:00:00Z'),
  });
  return { remediator, audit, budget };
}

const finding = () => makeFinding('svc-public-ip', SVC, { mode: 'approve' });

beforeEach(() => ecsMock.reset());

describe('approve mode in the Remediator', () => {
  it('without an approval: reads and verifies, plans "awaiting approval: would ...", writes nothing, spends no budget', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service('ENABLED')] });
    const { remediator, audit, budget } = setup();
    const out = await remediator.remediate(finding());
    expect(out.action).toMatchObject({ name: 'disable-public-ip', status: 'planned' });
    expect(out.action!.reason).toMatch(/^awaiting approval: would have updated service/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
    expect(audit.entries.map((e) => [e.status, e.approvedBy])).toEqual([['planned', undefined]]);
    expect((await budget.tryConsume(HOME, new Date('2026-11-22T10:00:00Z'), 1)).allowed).toBe(true);
  });

  it('with an approval: acts (UpdateService), verified, audited with who approved', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolvesOnce({ services: [service('ENABLED')] })
      .resolves({ services: [service('DISABLED')] });
    ecsMock.on(UpdateServiceCommand).resolves({});
    const { remediator, audit } = setup();
    const out = await remediator.remediate(finding(), { approval: { by: 'slack:T0AAA/U0BBB' } });
    expect(out.action, JSON.stringify(out.action)).toMatchObject({ status: 'done' });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(1);
    expect(audit.entries.map((e) => [e.status, e.approvedBy])).toEqual([['done', 'slack:T0AAA/U0BBB']]);
  });

  it('with an approval, every safety rule still applies: protect tag on the live resource -> skipped, no write', async () => {
    ecsMock
      .on(DescribeServicesCommand)
      .resolves({ services: [service('ENABLED', [{ key: 'guardrail:protect', value: 'true' }])] });
    const { remediator } = setup();
    const out = await remediator.remediate(finding(), { approval: { by: 'slack:T0AAA/U0BBB' } });
    expect(out.action).toMatchObject({ status: 'skipped' });
    expect(out.action!.reason).toMatch(/guardrail:protect=true/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('with an approval but already fixed on AWS: skipped "not violated now", no write', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service('DISABLED')] });
    const { remediator } = setup();
    const out = await remediator.remediate(finding(), { approval: { by: 'slack:T0AAA/U0BBB' } });
    expect(out.action).toMatchObject({ status: 'skipped' });
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('with an approval under dryRun: still only planned (dry-run wins)', async () => {
    ecsMock.on(DescribeServicesCommand).resolves({ services: [service('ENABLED')] });
    const { remediator } = setup(policy({ dryRun: true }));
    const out = await remediator.remediate(finding(), { approval: { by: 'slack:T0AAA/U0BBB' } });
    expect(out.action!.reason).toMatch(/^dry-run: would have/);
    expect(ecsMock.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('an approval for a rule in notify mode does nothing (the approval does not raise the mode)', async () => {
    const { remediator } = setup(policyFromDocument({ rules: { 'svc-public-ip': { mode: 'notify' } } }));
    const f = makeFinding('svc-public-ip', SVC, { mode: 'notify' });
    expect(await remediator.remediate(f, { approval: { by: 'slack:T0AAA/U0BBB' } })).toEqual(f);
    expect(ecsMock.calls()).toHaveLength(0);
  });
});

describe('approve mode in the policy', () => {
  it('is refused for a rule without a remediation action, naming the key', () => {
    expect(() => policyFromDocument({ rules: { 'td-root-user': { mode: 'approve' } } })).toThrow(PolicyError);
    try {
      policyFromDocument({ rules: { 'td-root-user': { mode: 'approve' } } });
    } catch (err) {
      expect((err as PolicyError).key).toBe('rules.td-root-user.mode');
    }
  });

  it('defaultMode approve: rules with an action wait for approval, the others notify', () => {
    const p = policyFromDocument({ defaultMode: 'approve' });
    expect(p.rules['td-privileged']!.mode).toBe('approve');
    expect(p.rules['td-root-user']!.mode).toBe('notify');
  });
});
