/**
 * Throttling: ECS_OPERATION_THROTTLED / SERVICE_DISCOVERY_OPERATION_THROTTLED Service Actions and CloudTrail
 * calls that failed with a throttling error code (ECS, EC2, ELB, Cloud Map, Application Auto Scaling).
 * Never enriches nor remediates: its bundle contains neither.
 */
import { lambda } from './edge/observability';
import { pipelineHandler } from './edge/pipeline-handler';

export const handler = lambda(pipelineHandler('throttling'));
