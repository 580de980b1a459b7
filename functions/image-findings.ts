/** ECR basic scan results and Amazon Inspector findings on images: image-vulnerable-running (docs/running.md). */
import { lambda } from './edge/observability';
import { pipelineHandler } from './edge/pipeline-handler';

export const handler = lambda(pipelineHandler('image-findings', { running: true }));
