/**
 * runtime-threat-in-task: GuardDuty Runtime Monitoring reports a threat inside a running ECS task (or,
 * without task details, in a cluster). The finding carries GuardDuty's type, and its severity mapped
 * from GuardDuty's number (docs/runtime-threats.md): 9.0-10.0 critical, 7.0-8.9 high, 4.0-6.9 medium,
 * 1.0-3.9 low, GuardDuty's own levels. The evidence names the task's service (its group), task
 * definition revision and images, so a responder knows what runs there without opening GuardDuty.
 */
import { lastSegment } from '../model/arn';
import type { Evidence, Severity } from '../model/finding';
import type { ClusterResource, RuntimeThreat, TaskResource } from '../model/resources';
import { resourceRule } from './types';

/** GuardDuty's severity levels (GuardDuty User Guide, "Severity levels for GuardDuty findings"). */
export function severityOfGuardDuty(n: number): Severity {
  if (n >= 9) return 'critical';
  if (n >= 7) return 'high';
  if (n >= 4) return 'medium';
  return 'low';
}

function threatMessage(t: RuntimeThreat): string {
  const seen = t.count !== undefined && t.count > 1 ? `, seen ${t.count} times` : '';
  return `GuardDuty ${t.type} (severity ${t.severity}${seen})${t.title ? `: ${t.title}` : ''}`;
}

function taskEvidence(task: TaskResource): Evidence[] {
  const t = task.runtimeThreat;
  if (!t || t.archived) return [];
  const ev: Evidence[] = [{ path: 'detail.type', message: threatMessage(t) }];
  const service = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
  const cluster = task.clusterArn ? lastSegment(task.clusterArn) : 'an unknown cluster';
  ev.push({
    path: 'detail.resource.ecsClusterDetails.taskDetails.group',
    message: service
      ? `task of service ${service} in cluster ${cluster}`
      : `standalone task${task.group ? ` (group ${task.group})` : ''} in cluster ${cluster}`,
  });
  if (task.taskDefinitionArn)
    ev.push({
      path: 'detail.resource.ecsClusterDetails.taskDetails.definitionArn',
      message: `task definition ${lastSegment(task.taskDefinitionArn)}`,
    });
  for (const [i, c] of (task.containers ?? []).entries())
    if (c.image)
      ev.push({
        path: `detail.resource.ecsClusterDetails.taskDetails.containers[${i}].image`,
        message: `container ${c.name ?? i} runs ${c.image}`,
        ...(c.name ? { container: c.name } : {}),
      });
  return ev;
}

function clusterEvidence(c: ClusterResource): Evidence[] {
  const t = c.runtimeThreat;
  if (!t || t.archived) return [];
  return [
    {
      path: 'detail.type',
      message: `${threatMessage(t)}; the finding names no task of cluster ${c.name}`,
    },
  ];
}

export const runtimeThreatInTask = resourceRule({
  family: 'resource',
  id: 'runtime-threat-in-task',
  title: 'Runtime threat detected in a task',
  severity: 'high',
  resourceType: 'AWS::ECS::Task',
  appliesTo: 'Task',
  description:
    "A GuardDuty Runtime Monitoring finding (`GuardDuty Finding`, resource type `ECSCluster` or `Container`) names the task; severity from GuardDuty's.",
  advice:
    "Isolate the workload and investigate with GuardDuty's finding: stop a compromised standalone task, roll a service's tasks onto a fixed image.",
  controls: { seeds: ['Runtime security: GuardDuty ECS Runtime Monitoring'] },
  ownFrameworks: { 'nist-800-53-r5': ['SI-4', 'IR-4'], 'pci-dss-4.0.1': ['11.5.1', '12.10.1'] },
  remediation: {
    action: 'stop-task',
    summary:
      "StopTask for a standalone task while GuardDuty still holds the finding (GetFindings); a service's task is left to its service.",
  },
  // The sweep reads no ECR repository and no GuardDuty finding.
  eventOnly: true,
  check: taskEvidence,
  severityOf: (task) => (task.runtimeThreat ? severityOfGuardDuty(task.runtimeThreat.severity) : undefined),
  alsoChecks: { Cluster: clusterEvidence },
});
