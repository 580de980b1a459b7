/**
 * Verify before acting on a runtime threat: GuardDuty's own answer (GetFindings) for the finding an event
 * named. The event can be forged or stale; only a finding GuardDuty still holds, not archived, naming
 * this very task, justifies stopping it.
 */
import { GetFindingsCommand, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { RuntimeThreat } from '../model/resources';

export interface GuardDutyFindingRef {
  readonly detectorId: string;
  readonly findingId: string;
}

const FINDING_ARN =
  /^arn:aws[\w-]*:guardduty:[a-z0-9-]+:\d{12}:detector\/([0-9a-z]{1,300})\/finding\/([0-9a-z]{1,300})$/;

/** `arn:<p>:guardduty:<region>:<account>:detector/<id>/finding/<id>` -> the ids; undefined when not that. */
export function findingRefOf(findingArn: string): GuardDutyFindingRef | undefined {
  const m = FINDING_ARN.exec(findingArn);
  return m ? { detectorId: m[1]!, findingId: m[2]! } : undefined;
}

/** The threat GuardDuty holds now for `taskArn`; undefined when the finding is gone, archived or about another task. */
export async function liveRuntimeThreat(
  client: GuardDutyClient,
  ref: GuardDutyFindingRef,
  taskArn: string,
): Promise<RuntimeThreat | undefined> {
  const out = await client.send(
    new GetFindingsCommand({ DetectorId: ref.detectorId, FindingIds: [ref.findingId] }),
  );
  const f = out.Findings?.find((x) => x.Id === ref.findingId);
  if (!f || f.Service?.Archived === true) return undefined;
  if (f.Resource?.EcsClusterDetails?.TaskDetails?.Arn !== taskArn) return undefined;
  if (typeof f.Severity !== 'number' || !f.Type || !f.Arn) return undefined;
  return {
    type: f.Type,
    severity: f.Severity,
    findingArn: f.Arn,
    findingId: ref.findingId,
    ...(f.Title ? { title: f.Title } : {}),
    ...(f.Service?.Count !== undefined ? { count: f.Service.Count } : {}),
  };
}
