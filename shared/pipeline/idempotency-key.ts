/**
 * What makes two deliveries "the same event" (docs/events.md, "Delivery and idempotency"):
 * - task and container instance state changes: the resource ARN + `detail.version` (ECS re-sends the
 *   same version under a new envelope id);
 * - CloudTrail API calls: the envelope account + `detail.eventID` (an event id is AWS's, but a forged
 *   or replayed record from another account must never pass as the duplicate of a real one);
 * - everything else (and a task/instance event without a version): the envelope `id`.
 * The kind is part of the key so keys of different kinds can never collide.
 */
import type { ParsedEvent } from '../events/parse';

export function idempotencyKeyOf(e: ParsedEvent): string {
  switch (e.kind) {
    case 'task':
      if (typeof e.detail.version === 'number') return `task|${e.detail.taskArn}|${e.detail.version}`;
      break;
    case 'containerInstance':
      if (typeof e.detail.version === 'number')
        return `instance|${e.detail.containerInstanceArn}|${e.detail.version}`;
      break;
    case 'cloudTrail':
      return `cloudtrail|${e.envelope.account}|${e.detail.eventID}`;
    default:
      break;
  }
  return `event|${e.envelope.id}`;
}

/** The resource an event is about, for log correlation (undefined when it names none). */
export function resourceArnOf(e: ParsedEvent): string | undefined {
  switch (e.kind) {
    case 'task':
      return e.detail.taskArn;
    case 'containerInstance':
      return e.detail.containerInstanceArn;
    default:
      return e.envelope.resources?.[0] ?? undefined;
  }
}
