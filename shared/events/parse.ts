/**
 * Raw JSON value -> typed event. Unknown detail-types are accepted (kind 'other') and ignored
 * downstream; anything that is not an event is an InvalidEventError.
 */
import {
  CloudTrailDetail,
  ContainerInstanceStateDetail,
  DeploymentStateDetail,
  EcrImageScanDetail,
  EnvelopeSchema,
  GuardDutyFindingDetail,
  Inspector2FindingDetail,
  ServiceActionDetail,
  TaskStateDetail,
  type Envelope,
} from './schemas';
import { InvalidEventError } from './errors';
import { validate } from './validate';

export const DETAIL_TYPES = {
  task: 'ECS Task State Change',
  containerInstance: 'ECS Container Instance State Change',
  deployment: 'ECS Deployment State Change',
  serviceAction: 'ECS Service Action',
  cloudTrail: 'AWS API Call via CloudTrail',
  guardDuty: 'GuardDuty Finding',
  ecrImageScan: 'ECR Image Scan',
  inspectorFinding: 'Inspector2 Finding',
} as const;

/** GuardDuty findings are read only from GuardDuty itself (EventBridge refuses `aws.*` sources from PutEvents). */
export const GUARDDUTY_SOURCE = 'aws.guardduty';

export type ParsedEvent =
  | { readonly kind: 'task'; readonly envelope: Envelope; readonly detail: TaskStateDetail }
  | {
      readonly kind: 'containerInstance';
      readonly envelope: Envelope;
      readonly detail: ContainerInstanceStateDetail;
    }
  | { readonly kind: 'deployment'; readonly envelope: Envelope; readonly detail: DeploymentStateDetail }
  | { readonly kind: 'serviceAction'; readonly envelope: Envelope; readonly detail: ServiceActionDetail }
  | { readonly kind: 'cloudTrail'; readonly envelope: Envelope; readonly detail: CloudTrailDetail }
  | { readonly kind: 'guardDuty'; readonly envelope: Envelope; readonly detail: GuardDutyFindingDetail }
  | { readonly kind: 'ecrImageScan'; readonly envelope: Envelope; readonly detail: EcrImageScanDetail }
  | {
      readonly kind: 'inspectorFinding';
      readonly envelope: Envelope;
      readonly detail: Inspector2FindingDetail;
    }
  | { readonly kind: 'other'; readonly envelope: Envelope };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function parseEvent(input: unknown): ParsedEvent {
  if (!isObject(input)) {
    throw new InvalidEventError(
      `not an event: expected a JSON object, got ${Array.isArray(input) ? 'array' : input === null ? 'null' : typeof input}`,
    );
  }
  // EventBridge "WITH_METADATA" delivery wraps the envelope as {Data, Metadata, SystemMetadata}.
  const raw = !('detail-type' in input) && isObject(input.Data) ? input.Data : input;
  if (!('detail-type' in raw) || !('detail' in raw)) {
    throw new InvalidEventError('not an event: no "detail-type"/"detail" (is this an EventBridge event?)');
  }
  const envelope = validate(EnvelopeSchema, raw, '');
  const d = envelope.detail;
  switch (envelope['detail-type']) {
    case DETAIL_TYPES.task:
      return { kind: 'task', envelope, detail: validate(TaskStateDetail, d, 'detail') };
    case DETAIL_TYPES.containerInstance:
      return {
        kind: 'containerInstance',
        envelope,
        detail: validate(ContainerInstanceStateDetail, d, 'detail'),
      };
    case DETAIL_TYPES.deployment:
      return { kind: 'deployment', envelope, detail: validate(DeploymentStateDetail, d, 'detail') };
    case DETAIL_TYPES.serviceAction:
      return { kind: 'serviceAction', envelope, detail: validate(ServiceActionDetail, d, 'detail') };
    case DETAIL_TYPES.cloudTrail:
      return { kind: 'cloudTrail', envelope, detail: validate(CloudTrailDetail, d, 'detail') };
    case DETAIL_TYPES.guardDuty:
      // The detail-type from another source (a custom event) is not GuardDuty's word: ignored.
      if (envelope.source !== GUARDDUTY_SOURCE) return { kind: 'other', envelope };
      return { kind: 'guardDuty', envelope, detail: validate(GuardDutyFindingDetail, d, 'detail') };
    case DETAIL_TYPES.ecrImageScan:
      return { kind: 'ecrImageScan', envelope, detail: validate(EcrImageScanDetail, d, 'detail') };
    case DETAIL_TYPES.inspectorFinding:
      return { kind: 'inspectorFinding', envelope, detail: validate(Inspector2FindingDetail, d, 'detail') };
    default:
      return { kind: 'other', envelope };
  }
}
