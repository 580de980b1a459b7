/** Service, task set and task rules. */
import * as v from 'valibot';
import type { Evidence } from '../model/finding';
import type { AwsVpcConfiguration } from '../model/resources';
import { resourceRule, type Rule } from './types';

function publicIpEvidence(network: AwsVpcConfiguration | undefined, what: string): Evidence[] {
  return network?.assignPublicIp === 'ENABLED'
    ? [
        {
          path: 'networkConfiguration.awsvpcConfiguration.assignPublicIp',
          message: `${what} assigns a public IP (assignPublicIp ENABLED)`,
        },
      ]
    : [];
}

/** `1.3.0` < `1.4.0`; non-numeric parts compare as 0. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split('.').map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const workloadRules: readonly Rule[] = [
  resourceRule({
    family: 'resource',
    id: 'svc-public-ip',
    title: 'Service assigns public IPs to its tasks',
    severity: 'high',
    resourceType: 'AWS::ECS::Service',
    appliesTo: 'Service',
    description: '`networkConfiguration.awsvpcConfiguration.assignPublicIp` is `ENABLED`.',
    advice: 'Run tasks in private subnets and reach the internet through a NAT gateway.',
    controls: {
      securityHub: 'ECS.2',
      checkov: 'CKV_AWS_333',
      seeds: ['Using a private subnet and a NAT gateway'],
    },
    remediation: {
      action: 'disable-public-ip',
      summary: 'UpdateService keeping subnets and security groups, assignPublicIp DISABLED.',
    },
    check: (s) => publicIpEvidence(s.network, `service "${s.name}"`),
  }),
  resourceRule({
    family: 'resource',
    id: 'svc-exec-enabled',
    title: 'ECS Exec enabled on service',
    severity: 'medium',
    resourceType: 'AWS::ECS::Service',
    appliesTo: 'Service',
    description: '`enableExecuteCommand` is `true`.',
    advice: 'Enable ECS Exec only while debugging, and audit its sessions.',
    controls: {},
    remediation: {
      action: 'disable-exec',
      summary: 'UpdateService enableExecuteCommand false with a new deployment.',
    },
    check: (s) =>
      s.enableExecuteCommand === true
        ? [{ path: 'enableExecuteCommand', message: `service "${s.name}" has ECS Exec enabled` }]
        : [],
  }),
  resourceRule({
    family: 'resource',
    id: 'svc-fargate-platform-outdated',
    title: 'Fargate service pinned to an outdated platform version',
    severity: 'medium',
    resourceType: 'AWS::ECS::Service',
    appliesTo: 'Service',
    description: 'A Fargate service pinned to a `platformVersion` other than `LATEST` and below `1.4.0`.',
    advice: 'Use platform version LATEST (or at least 1.4.0) to receive Fargate security patches.',
    controls: { securityHub: 'ECS.10' },
    params: { schema: v.object({ minimumVersion: v.string() }), defaults: { minimumVersion: '1.4.0' } },
    check: (s, p) => {
      const fargate =
        s.launchType === 'FARGATE' ||
        (s.capacityProviders ?? []).some((c) => c === 'FARGATE' || c === 'FARGATE_SPOT');
      const pv = s.platformVersion;
      if (!fargate || !pv || pv.toUpperCase() === 'LATEST') return [];
      return compareVersions(pv, p.minimumVersion) < 0
        ? [
            {
              path: 'platformVersion',
              message: `service "${s.name}" is pinned to Fargate platform ${pv} (< ${p.minimumVersion})`,
            },
          ]
        : [];
    },
  }),
  resourceRule({
    family: 'resource',
    id: 'taskset-public-ip',
    title: 'Task set assigns public IPs',
    severity: 'high',
    resourceType: 'AWS::ECS::TaskSet',
    appliesTo: 'TaskSet',
    description: "The task set's `assignPublicIp` is `ENABLED`.",
    advice: 'Run tasks in private subnets and reach the internet through a NAT gateway.',
    controls: { securityHub: 'ECS.16' },
    check: (t) => publicIpEvidence(t.network, 'task set'),
  }),
  resourceRule({
    family: 'resource',
    id: 'task-public-ip',
    title: 'Task has a public IP',
    severity: 'high',
    resourceType: 'AWS::ECS::Task',
    appliesTo: 'Task',
    description:
      "RunTask/StartTask asked for `assignPublicIp: ENABLED`, or a running task's ENI has a public IP (enrichment).",
    advice: 'Launch tasks in private subnets without public IPs; expose them through a load balancer.',
    controls: { seeds: ['Public subnet chapter'] },
    remediation: {
      action: 'stop-task',
      summary: "StopTask for standalone tasks; a service's task is fixed through its service.",
    },
    check: (t) => {
      const ev = publicIpEvidence(t.network, 'task launch');
      if (t.publicIps?.length)
        ev.push({
          path: 'attachments.eni.association.publicIp',
          message: `task ENI has public IP ${t.publicIps.join(', ')}`,
        });
      return ev;
    },
  }),
  resourceRule({
    family: 'resource',
    id: 'task-exec-enabled',
    title: 'ECS Exec enabled on task',
    severity: 'medium',
    resourceType: 'AWS::ECS::Task',
    appliesTo: 'Task',
    description: 'RunTask/StartTask with `enableExecuteCommand: true` (or a task state change showing it).',
    advice: 'Enable ECS Exec only while debugging, and audit its sessions.',
    controls: {},
    check: (t) =>
      t.enableExecuteCommand === true
        ? [{ path: 'enableExecuteCommand', message: 'task has ECS Exec enabled' }]
        : [],
  }),
];
