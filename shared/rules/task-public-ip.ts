/** Workload rule (service, task set or task). */
import { publicIpEvidence } from './workload/helpers';
import { resourceRule } from './types';

export const taskPublicIp = resourceRule({
  family: 'resource',
  id: 'task-public-ip',
  title: 'Task has a public IP',
  severity: 'high',
  resourceType: 'AWS::ECS::Task',
  appliesTo: 'Task',
  description:
    "RunTask/StartTask asked for `assignPublicIp: ENABLED`, or a running task's ENI has a public IP (enrichment).",
  advice: 'Launch tasks in private subnets without public IPs; expose them through a load balancer.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-4', 'SC-7'], 'pci-dss-4.0.1': ['1.4.4'] },
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
});
