/** Findings for the report tests: two accounts, every severity, hostile text wherever AWS lets users write. */
import type { Finding, Severity } from '../../../shared/model/finding';
import type { HtmlReportInput } from '../../../cli/report-html';

export const HOSTILE_NAME = '<script>document.title="pwned"</script>';
export const HOSTILE_TAG = '<img src=x onerror="document.body.dataset.pwned=1">';
export const HOSTILE_GAP = '<b onmouseover=alert(1)>denied</b>';

const A1 = '111122223333';
const A2 = '444455556666';

function f(
  ruleId: string,
  severity: Severity,
  account: string,
  resource: { type: string; arn: string; name?: string },
  over: Partial<Finding> = {},
): Finding {
  return {
    findingId: `${ruleId}-${resource.arn}`.replace(/[^a-z0-9]/gi, '').slice(-32),
    ruleId,
    severity,
    title: `${ruleId} title`,
    resource,
    account,
    region: 'eu-west-1',
    evidence: [{ path: 'x.y', message: `${ruleId} evidence` }],
    event: {
      id: 'sweep',
      source: 'guardrail.sweep',
      detailType: 'Guardrail Estate Sweep',
      time: '2026-06-01T00:00:00Z',
    },
    controls: {},
    mode: 'notify',
    ...over,
  };
}

const td = (account: string, name: string) => ({
  type: 'AWS::ECS::TaskDefinition',
  arn: `arn:aws:ecs:eu-west-1:${account}:task-definition/${name}`,
  name,
});
const svc = (account: string, name: string) => ({
  type: 'AWS::ECS::Service',
  arn: `arn:aws:ecs:eu-west-1:${account}:service/prod/${name}`,
  name,
});

export const FINDINGS: Finding[] = [
  f('td-privileged', 'critical', A1, td(A1, 'agent:7'), {
    title: 'Privileged container in task definition',
    controls: { securityHub: 'ECS.4', checkov: 'CKV_AWS_334' },
    evidence: [
      {
        path: 'containerDefinitions[0].privileged',
        message: 'container "agent" is privileged',
        container: 'agent',
      },
      {
        path: 'containerDefinitions[1].privileged',
        message: 'container "sidecar" is privileged',
        container: 'sidecar',
      },
    ],
    advice: 'Avoid running containers as privileged.',
  }),
  f('td-secrets-in-environment', 'critical', A1, td(A1, 'agent:7'), {
    controls: { securityHub: 'ECS.8' },
    evidence: [
      {
        path: 'containerDefinitions[0].environment[0]',
        message: `environment variable "${HOSTILE_NAME}_TOKEN" in container "agent" looks like a credential: name matches the credential pattern TOKEN`,
        container: 'agent',
      },
    ],
  }),
  f('svc-public-ip', 'high', A1, svc(A1, 'api'), {
    controls: { securityHub: 'ECS.2' },
    tags: { owner: HOSTILE_TAG, team: 'payments' },
  }),
  f('svc-public-ip', 'high', A2, svc(A2, 'web')),
  f('svc-exec-enabled', 'medium', A2, svc(A2, 'web')),
  f('td-root-user', 'medium', A2, td(A2, 'web:3'), {
    exemption: { source: 'tag', expired: true, until: '2026-01-31', reason: 'SEC-1' },
  }),
  f(
    'cluster-container-insights-disabled',
    'low',
    A2,
    {
      type: 'AWS::ECS::Cluster',
      arn: `arn:aws:ecs:eu-west-1:${A2}:cluster/batch`,
      name: 'batch',
    },
    { controls: { securityHub: 'ECS.12' } },
  ),
  f('instance-privileged-allowed', 'info', A1, {
    type: 'AWS::ECS::ContainerInstance',
    arn: `arn:aws:ecs:eu-west-1:${A1}:container-instance/prod/abc`,
  }),
];

export const INPUT: HtmlReportInput = {
  findings: FINDINGS,
  generatedAt: '2026-06-01T12:00:00.000Z',
  suppressedCount: 3,
  sweeps: [
    {
      account: A1,
      region: 'eu-west-1',
      startedAt: '2026-06-01T11:59:00.000Z',
      durationMs: 61_000,
      complete: false,
      gaps: [
        {
          operation: 'ListTasks',
          target: `arn:aws:ecs:eu-west-1:${A1}:cluster/prod`,
          kind: 'access-denied',
          code: 'AccessDeniedException',
          message: HOSTILE_GAP,
          missed: 'running tasks of cluster prod',
        },
      ],
      counts: { clusters: 1, services: 1, taskSets: 0, tasks: 0, containerInstances: 1, taskDefinitions: 1 },
      taskDefinitions: { described: 1, fromCache: 0 },
    },
    {
      account: A2,
      region: 'eu-west-1',
      startedAt: '2026-06-01T11:59:00.000Z',
      durationMs: 2_000,
      complete: true,
      gaps: [],
      counts: { clusters: 1, services: 1, taskSets: 0, tasks: 0, containerInstances: 0, taskDefinitions: 1 },
      taskDefinitions: { described: 0, fromCache: 1 },
    },
  ],
  resolved: [
    {
      ruleId: 'task-public-ip',
      severity: 'high',
      resourceArn: `arn:aws:ecs:eu-west-1:${A2}:task/prod/1234`,
      kind: 'gone',
      resolvedAt: '2026-06-01T12:00:00.000Z',
    },
  ],
};
