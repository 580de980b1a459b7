import { describe, expect, it } from 'vitest';
import {
  applicableExemptions,
  isCalendarDate,
  isExpired,
  parseExemptTag,
} from '../../../shared/policy/exemptions';
import { evaluateRaw } from '../../../shared/engine/run';
import {
  apiThrottle,
  byRule,
  createService,
  deps,
  findingsOf,
  okContainer,
  one,
  policyOf,
  registerTd,
  tdArn,
} from '../engine/builders';

const NOW = new Date('2027-01-15T12:00:00Z');

/** Two root containers without logging: td-root-user and td-no-logging list both. */
function rootTd(tags?: Record<string, string>) {
  return registerTd({
    family: 'api',
    revision: 3,
    containers: [
      okContainer('app', { user: 'root', logConfiguration: undefined, readonlyRootFilesystem: false }),
      okContainer('log_router', { user: undefined, logConfiguration: undefined }),
    ],
    ...(tags ? { tags } : {}),
  });
}

describe('parseExemptTag', () => {
  it('reads rule, container, expiry and reason', () => {
    expect(parseExemptTag('td-root-user@log_router;until=2027-01-31;reason=SEC-123')).toEqual([
      {
        rule: 'td-root-user',
        container: 'log_router',
        until: '2027-01-31',
        reason: 'SEC-123',
        source: 'tag',
      },
    ]);
  });

  it('reads several entries separated by any whitespace', () => {
    const entries = parseExemptTag(
      '  td-root-user@log_router;until=2027-01-31;reason=SEC-123   td-no-logging\ttd-writable-root-fs;reason=RO-1\n* ',
    );
    expect(entries).toEqual([
      {
        rule: 'td-root-user',
        container: 'log_router',
        until: '2027-01-31',
        reason: 'SEC-123',
        source: 'tag',
      },
      { rule: 'td-no-logging', source: 'tag' },
      { rule: 'td-writable-root-fs', reason: 'RO-1', source: 'tag' },
      { rule: '*', source: 'tag' },
    ]);
  });

  it('ignores malformed entries and keeps the good ones', () => {
    const entries = parseExemptTag(
      [
        'TD-ROOT-USER', // not a rule id
        '@log_router', // no rule
        ';until=2027-01-31',
        'td-root-user;until=2027-1-31', // bad expiry: must not become a permanent exemption
        'td-root-user;until=2027-02-30', // no such day
        'td-root-user;until=', // empty expiry
        'td-root-user;until=soon',
        'td_root_user',
        'td-no-logging;reason=OK-1',
      ].join(' '),
    );
    expect(entries).toEqual([{ rule: 'td-no-logging', reason: 'OK-1', source: 'tag' }]);
    expect(parseExemptTag('')).toEqual([]);
    expect(parseExemptTag('   ')).toEqual([]);
  });

  it('ignores unknown attributes and an empty reason', () => {
    expect(parseExemptTag('td-no-logging;ticket=42;reason=')).toEqual([
      { rule: 'td-no-logging', source: 'tag' },
    ]);
  });
});

describe('expiry', () => {
  it('holds through the whole `until` day (UTC), and no longer after it', () => {
    expect(isExpired('2027-01-31', new Date('2027-01-31T00:00:00Z'))).toBe(false);
    expect(isExpired('2027-01-31', new Date('2027-01-31T23:59:59.999Z'))).toBe(false);
    expect(isExpired('2027-01-31', new Date('2027-02-01T00:00:00Z'))).toBe(true);
    expect(isExpired(undefined, new Date('2999-01-01T00:00:00Z'))).toBe(false);
  });

  it('knows real calendar dates', () => {
    expect(isCalendarDate('2028-02-29')).toBe(true);
    expect(isCalendarDate('2027-02-29')).toBe(false);
    expect(isCalendarDate('2027-13-01')).toBe(false);
    expect(isCalendarDate('2027-1-01')).toBe(false);
    expect(isCalendarDate('2027-01-01T00:00:00Z')).toBe(false);
  });
});

describe('applicableExemptions', () => {
  it('matches policy entries by rule (or *) and ARN glob, tag entries by rule (or *)', () => {
    const arn = tdArn('api', 3);
    const list = [
      { rule: 'td-root-user', arn: 'arn:aws:ecs:*:111122223333:task-definition/api:*' },
      { rule: 'td-root-user', arn: 'arn:aws:ecs:*:111122223333:task-definition/other:*' },
      { rule: '*', arn: '*:task-definition/api:3' },
      { rule: 'td-no-logging', arn: '*' },
    ];
    const got = applicableExemptions('td-root-user', arn, { 'guardrail:exempt': 'td-root-user@app *' }, list);
    expect(got).toEqual([
      { rule: 'td-root-user', container: 'app', source: 'tag' },
      { rule: '*', source: 'tag' },
      { rule: 'td-root-user', arn: list[0]!.arn, source: 'policy' },
      { rule: '*', arn: list[2]!.arn, source: 'policy' },
    ]);
  });

  it('treats glob metacharacters other than * literally', () => {
    const list = [{ rule: '*', arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/a.i:3' }];
    expect(applicableExemptions('td-root-user', tdArn('api', 3), undefined, list)).toEqual([]);
    expect(applicableExemptions('td-root-user', tdArn('a.i', 3), undefined, list)).toHaveLength(1);
  });
});

describe('policy exemptions in evaluation', () => {
  it('exempts a rule for resources matching the ARN glob; the finding says so and carries no action', async () => {
    const policy = policyOf(`
rules:
  td-privileged: { mode: remediate }
exemptions:
  - rule: td-privileged
    arn: "arn:aws:ecs:*:111122223333:task-definition/api:*"
    reason: SEC-7
`);
    const td = registerTd({ family: 'api', containers: [okContainer('app', { privileged: true })] });
    const f = one(await findingsOf(td, policy, NOW), 'td-privileged');
    expect(f.exemption).toEqual({ source: 'policy', expired: false, reason: 'SEC-7' });
    expect(f.action).toBeUndefined();

    const other = registerTd({ family: 'web', containers: [okContainer('app', { privileged: true })] });
    const g = one(await findingsOf(other, policy, NOW), 'td-privileged');
    expect(g.exemption).toBeUndefined();
    expect(g.action).toEqual({ name: 'deregister-task-definition', status: 'planned' });
  });

  it('`*` exempts every rule for the matching resources', async () => {
    const policy = policyOf('exemptions:\n  - { rule: "*", arn: "*task-definition/api:3" }\n');
    const findings = await findingsOf(rootTd(), policy, NOW);
    expect(findings.length).toBeGreaterThanOrEqual(2);
    for (const f of findings) expect(f.exemption).toEqual({ source: 'policy', expired: false });
  });

  it('a container-scoped exemption removes that container from the evidence only', async () => {
    const policy = policyOf('exemptions:\n  - { rule: td-root-user, arn: "*", container: log_router }\n');
    const f = one(await findingsOf(rootTd(), policy, NOW), 'td-root-user');
    expect(f.exemption).toBeUndefined();
    expect(f.evidence.map((e) => e.container)).toEqual(['app']);
    // Other rules still list both containers.
    expect(one(await findingsOf(rootTd(), policy, NOW), 'td-no-logging').evidence).toHaveLength(2);
  });

  it('exempts the whole finding when container scopes cover every offending container', async () => {
    const policy = policyOf(`
exemptions:
  - { rule: td-root-user, arn: "*", container: app, reason: A }
  - { rule: td-root-user, arn: "*", container: log_router, reason: B }
`);
    const f = one(await findingsOf(rootTd(), policy, NOW), 'td-root-user');
    expect(f.exemption).toMatchObject({
      source: 'policy',
      expired: false,
      containers: ['app', 'log_router'],
    });
    expect(f.evidence).toHaveLength(2);
  });

  it('holds on its `until` day and expires the day after; an expired exemption says so', async () => {
    const policy = policyOf(`
rules:
  td-privileged: { mode: remediate }
exemptions:
  - { rule: td-privileged, arn: "*", until: 2027-01-31, reason: SEC-9 }
`);
    const td = registerTd({ family: 'api', containers: [okContainer('app', { privileged: true })] });
    const during = one(await findingsOf(td, policy, new Date('2027-01-31T23:59:59Z')), 'td-privileged');
    expect(during.exemption).toEqual({
      source: 'policy',
      expired: false,
      until: '2027-01-31',
      reason: 'SEC-9',
    });
    expect(during.action).toBeUndefined();

    const after = one(await findingsOf(td, policy, new Date('2027-02-01T00:00:00Z')), 'td-privileged');
    expect(after.exemption).toEqual({
      source: 'policy',
      expired: true,
      until: '2027-01-31',
      reason: 'SEC-9',
    });
    expect(after.evidence).toHaveLength(1);
    expect(after.action).toEqual({ name: 'deregister-task-definition', status: 'planned' });
  });

  it('an expired container-scoped exemption no longer removes the container', async () => {
    const policy = policyOf(
      'exemptions:\n  - { rule: td-root-user, arn: "*", container: log_router, until: 2026-12-31 }\n',
    );
    const f = one(await findingsOf(rootTd(), policy, NOW), 'td-root-user');
    expect(f.evidence.map((e) => e.container)).toEqual(['app', 'log_router']);
    expect(f.exemption).toMatchObject({ expired: true, until: '2026-12-31' });
  });

  it('exempts aggregated rules by the principal ARN, and an expired one shows on the finding', async () => {
    const role = 'arn:aws:iam::111122223333:role/deployer';
    const run = async (yaml: string) => {
      const policy = policyOf(yaml);
      const d = deps(policy, NOW);
      const out = [];
      for (let i = 0; i < 10; i++)
        out.push(...(await evaluateRaw(apiThrottle(`2026-03-02T08:00:0${i}Z`), d)).findings);
      return byRule(out, 'throttle-api-calls');
    };
    expect(await run(`exemptions:\n  - { rule: throttle-api-calls, arn: "${role}" }\n`)).toEqual([]);
    const expired = await run(
      `exemptions:\n  - { rule: throttle-api-calls, arn: "${role}", until: 2026-12-31, reason: LOAD-TEST }\n`,
    );
    expect(expired).toHaveLength(1);
    expect(expired[0]!.exemption).toEqual({
      source: 'policy',
      expired: true,
      until: '2026-12-31',
      reason: 'LOAD-TEST',
    });
  });
});

describe('guardrail:exempt tag in evaluation', () => {
  it('applies a container-scoped tag entry with expiry and reason', async () => {
    const td = rootTd({ 'guardrail:exempt': 'td-root-user@log_router;until=2027-01-31;reason=SEC-123' });
    const f = one(await findingsOf(td, undefined, NOW), 'td-root-user');
    expect(f.evidence.map((e) => e.container)).toEqual(['app']);
    expect(f.exemption).toBeUndefined();
  });

  it('applies several entries from one tag value', async () => {
    const td = rootTd({
      'guardrail:exempt':
        'td-root-user@log_router;until=2027-01-31;reason=SEC-123 td-no-logging;reason=OBS-1',
    });
    const findings = await findingsOf(td, undefined, NOW);
    expect(one(findings, 'td-root-user').evidence.map((e) => e.container)).toEqual(['app']);
    expect(one(findings, 'td-no-logging').exemption).toEqual({
      source: 'tag',
      expired: false,
      reason: 'OBS-1',
    });
    // Rules the tag does not name are untouched.
    expect(one(findings, 'td-writable-root-fs').exemption).toBeUndefined();
  });

  it('after the expiry the tag exempts nothing and the finding says it expired', async () => {
    const td = rootTd({ 'guardrail:exempt': 'td-root-user@log_router;until=2027-01-31;reason=SEC-123' });
    const f = one(await findingsOf(td, undefined, new Date('2027-02-01T00:00:00Z')), 'td-root-user');
    expect(f.evidence.map((e) => e.container)).toEqual(['app', 'log_router']);
    expect(f.exemption).toEqual({
      source: 'tag',
      expired: true,
      until: '2027-01-31',
      reason: 'SEC-123',
      containers: ['log_router'],
    });
  });

  it('ignores malformed tag entries: the finding stays active', async () => {
    const td = rootTd({ 'guardrail:exempt': 'td-root-user;until=31/01/2027 TD-NO-LOGGING' });
    const findings = await findingsOf(td, undefined, NOW);
    expect(one(findings, 'td-root-user').exemption).toBeUndefined();
    expect(one(findings, 'td-root-user').evidence).toHaveLength(2);
    expect(one(findings, 'td-no-logging').exemption).toBeUndefined();
  });

  it('exempts services by tag too', async () => {
    const svc = createService({
      name: 'edge',
      assignPublicIp: 'ENABLED',
      tags: { 'guardrail:exempt': 'svc-public-ip;reason=PUBLIC-EDGE' },
    });
    const f = one(await findingsOf(svc, undefined, NOW), 'svc-public-ip');
    expect(f.exemption).toEqual({ source: 'tag', expired: false, reason: 'PUBLIC-EDGE' });
  });
});
