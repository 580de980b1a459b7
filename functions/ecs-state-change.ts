/** ECS state changes: Task, Container Instance, Deployment State Change and non-throttle Service Actions. */
import { lambda } from './edge/observability';
import { pipelineHandler } from './edge/pipeline-handler';

export const handler = lambda(
  pipelineHandler('ecs-state-change', {
    // Loaded on the first event that lacks facts (GUARDRAIL_ENRICH=false turns it off); member accounts
    // are read through their read role (policy organization.readRoleName).
    enricher: (o) => import('../shared/aws/enricher').then((m) => m.createAwsEnricher(o)),
    // Loaded on the first finding to remediate, only when a policy rule is in `remediate` mode.
    remediator: (o) => import('../shared/remediation/factory').then((m) => m.createPipelineRemediator(o)),
    // Task state changes keep the running inventory (docs/running.md).
    running: true,
  }),
);
