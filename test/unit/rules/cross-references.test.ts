/**
 * Cross-references (v2 "complete cross-references on every rule"): every v1 rule carries at least the
 * Security Hub controls, AWS Config rules, Checkov and Prowler checks that test the same thing. The
 * table below is the rule catalog's cross-reference column, completed from Security Hub's ECS controls
 * (each control's Config rule), Prowler's ECS checks (the Security Hub control each maps to) and
 * Checkov's CKV_AWS ECS checks (docs/rule-catalog.md, "Cross-references", names the sources).
 */
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../../cli/report-html';
import { toAsff } from '../../../shared/notify/channels/securityhub/asff';
import { controlIds, type Controls, type Finding } from '../../../shared/model/finding';
import { RULES_BY_ID } from '../../../shared/rules/registry';
import { renderRuleTable } from '../../../scripts/docs/rule-table';

type Expected = { readonly [K in 'securityHub' | 'config' | 'checkov' | 'prowler']?: readonly string[] };

const CATALOG: Readonly<Record<string, Expected>> = {
  'td-privileged': {
    securityHub: ['ECS.4'],
    config: ['ecs-containers-nonprivileged'],
    checkov: ['CKV_AWS_334'],
    prowler: ['ecs_task_definitions_no_privileged_containers'],
  },
  'td-host-network': { securityHub: ['ECS.17'], config: ['ecs-task-definition-network-mode-not-host'] },
  'td-host-pid': {
    securityHub: ['ECS.3'],
    config: ['ecs-task-definition-pid-mode-check'],
    checkov: ['CKV_AWS_335'],
    prowler: ['ecs_task_definitions_host_namespace_not_shared'],
  },
  'td-host-ipc': {},
  'td-root-user': {
    securityHub: ['ECS.20'],
    config: ['ecs-task-definition-linux-user-non-root', 'ecs-task-definition-nonroot-user'],
  },
  'td-writable-root-fs': {
    securityHub: ['ECS.5'],
    config: ['ecs-containers-readonly-access'],
    checkov: ['CKV_AWS_336'],
    prowler: ['ecs_task_definitions_containers_readonly_access'],
  },
  'td-dangerous-capabilities': {},
  'td-secrets-in-environment': {
    securityHub: ['ECS.8'],
    config: ['ecs-no-environment-secrets'],
    prowler: ['ecs_task_definitions_no_environment_secrets'],
  },
  'td-no-logging': {
    securityHub: ['ECS.9'],
    config: ['ecs-task-definition-log-configuration'],
    prowler: ['ecs_task_definitions_logging_enabled'],
  },
  'td-mutable-image': {},
  'td-untrusted-registry': {},
  'td-efs-no-transit-encryption': {
    securityHub: ['ECS.18'],
    config: ['ecs-task-definition-efs-encryption-enabled'],
    checkov: ['CKV_AWS_97'],
  },
  'td-sensitive-host-mount': {},
  'svc-public-ip': {
    securityHub: ['ECS.2'],
    config: ['ecs-service-assign-public-ip-disabled'],
    checkov: ['CKV_AWS_333'],
    prowler: ['ecs_service_no_assign_public_ip'],
  },
  'svc-exec-enabled': {},
  'svc-fargate-platform-outdated': {
    securityHub: ['ECS.10'],
    config: ['ecs-fargate-latest-platform-version'],
    checkov: ['CKV_AWS_332'],
    prowler: ['ecs_service_fargate_latest_platform_version'],
  },
  'taskset-public-ip': {
    securityHub: ['ECS.16'],
    config: ['ecs-taskset-assign-public-ip-disabled'],
    prowler: ['ecs_task_set_no_assign_public_ip'],
  },
  'task-public-ip': {},
  'task-exec-enabled': {},
  'cluster-container-insights-disabled': {
    securityHub: ['ECS.12'],
    config: ['ecs-container-insights-enabled'],
    checkov: ['CKV_AWS_65'],
    prowler: ['ecs_cluster_container_insights_enabled'],
  },
  'instance-privileged-allowed': {},
  'instance-imds-reachable': {},
  'throttle-ecs-operation': {},
  'throttle-api-calls': {},
  'ops-deployment-failed': {},
  'ops-task-placement-failure': {},
};

const TOOLS = ['securityHub', 'config', 'checkov', 'prowler'] as const;

/** The id formats of each tool: a typo (`ECS-4`, `CKV_AWS334`) is caught here. */
const FORMAT: Record<(typeof TOOLS)[number], RegExp> = {
  securityHub: /^(ECS|ECR|GuardDuty)\.\d{1,2}$/,
  config: /^[a-z0-9]+(-[a-z0-9]+)+$/,
  checkov: /^CKV_AWS_\d+$/,
  prowler: /^[a-z0-9]+(_[a-z0-9]+)+$/,
};

describe('cross-references of the v1 rules', () => {
  it('the table covers the 26 v1 rule ids, each registered', () => {
    expect(Object.keys(CATALOG)).toHaveLength(26);
    for (const id of Object.keys(CATALOG)) expect(RULES_BY_ID.has(id), id).toBe(true);
  });

  for (const [id, expected] of Object.entries(CATALOG)) {
    it(`${id} lists at least the catalog's cross-references`, () => {
      const controls = RULES_BY_ID.get(id)!.controls;
      for (const tool of TOOLS) {
        const have = controlIds(controls[tool]);
        for (const want of expected[tool] ?? []) expect(have, `${id} ${tool}`).toContain(want);
      }
    });
  }

  it("every rule's ids are well formed and not repeated (all registered rules, new ones included)", () => {
    for (const [id, rule] of RULES_BY_ID)
      for (const tool of TOOLS) {
        const ids = controlIds(rule.controls[tool]);
        expect(new Set(ids).size, `${id} ${tool}`).toBe(ids.length);
        for (const x of ids) expect(x, `${id} ${tool}`).toMatch(FORMAT[tool]);
      }
  });
});

describe('several ids per tool: every consumer shows them all', () => {
  const controls: Controls = {
    securityHub: ['ECS.20', 'ECS.21'],
    config: ['ecs-task-definition-linux-user-non-root', 'ecs-task-definition-nonroot-user'],
    checkov: 'CKV_AWS_334',
  };

  const finding = {
    findingId: 'f1',
    ruleId: 'td-root-user',
    severity: 'medium',
    title: 't',
    resource: {
      type: 'AWS::ECS::TaskDefinition',
      arn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/a:1',
    },
    account: '123456789012',
    region: 'us-east-1',
    evidence: [],
    event: { id: 'e', source: 'aws.ecs', detailType: 'x', time: '2026-01-01T00:00:00Z' },
    controls,
    mode: 'notify',
  } satisfies Finding;

  it('controlIds: a single string stays valid, a list is kept, none is empty', () => {
    expect(controlIds('ECS.4')).toEqual(['ECS.4']);
    expect(controlIds(['ECS.20', 'ECS.21'])).toEqual(['ECS.20', 'ECS.21']);
    expect(controlIds(undefined)).toEqual([]);
  });

  it("ASFF: the first control is the SecurityControlId; related requirements are the frameworks' ids", () => {
    const asff = toAsff(finding, { now: '2026-01-01T00:00:00Z' });
    expect(asff.Compliance?.SecurityControlId).toBe('ECS.20');
    const related = asff.Compliance?.RelatedRequirements ?? [];
    expect(related.length).toBeGreaterThan(0);
    for (const r of related) expect(r).toMatch(/^(NIST\.800-53\.r5 |PCI DSS v4\.0\.1\/)/);
  });

  it('the HTML report shows every Security Hub control and every other id', () => {
    const html = renderHtmlReport({ findings: [finding], generatedAt: '2026-01-01T00:00:00Z' });
    expect(html).toContain('data-control="ECS.20"');
    expect(html).toContain('data-control="ECS.21"');
    expect(html).toContain('Config ecs-task-definition-nonroot-user');
  });

  it('the README rule table lists every id of every tool', () => {
    const rule = { ...RULES_BY_ID.get('td-root-user')!, controls };
    const table = renderRuleTable([rule]);
    for (const text of [
      'SH ECS.20',
      'SH ECS.21',
      'Config ecs-task-definition-linux-user-non-root',
      'Config ecs-task-definition-nonroot-user',
      'CKV_AWS_334',
    ])
      expect(table).toContain(text);
  });
});
