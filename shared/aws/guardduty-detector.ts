/**
 * The GuardDuty detector of one account and region, as account-ecs-runtime-monitoring-off judges it:
 * ListDetectors (an account has at most one per region) then GetDetector's status and `features`
 * (RUNTIME_MONITORING and its additionalConfiguration ECS_FARGATE_AGENT_MANAGEMENT). Errors propagate:
 * the sweep records them as a gap (never "monitoring off" because a read failed).
 */
import { GetDetectorCommand, paginateListDetectors, type GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { GuardDutyDetectorResource } from '../model/resources';
import { partitionOf } from '../model/arn';

export interface DetectorScope {
  readonly account: string;
  readonly region: string;
}

/** `arn:<p>:guardduty:<region>:<account>:detector/<id>`; `detector/none` stands for "no detector". */
export function detectorArn(scope: DetectorScope, detectorId: string | undefined): string {
  return `arn:${partitionOf(scope.region)}:guardduty:${scope.region}:${scope.account}:detector/${detectorId ?? 'none'}`;
}

export async function readGuardDutyDetector(
  client: GuardDutyClient,
  scope: DetectorScope,
  sendOptions: { abortSignal?: AbortSignal } = {},
): Promise<GuardDutyDetectorResource> {
  const ids: string[] = [];
  for await (const page of paginateListDetectors({ client }, {}, sendOptions))
    ids.push(...(page.DetectorIds ?? []));
  const id = ids[0];
  const base = { account: scope.account, region: scope.region, arn: detectorArn(scope, id) };
  if (!id)
    return { ...base, kind: 'GuardDutyDetector', exists: false, features: {}, runtimeConfiguration: {} };
  const d = await client.send(new GetDetectorCommand({ DetectorId: id }), sendOptions);
  const features: Record<string, string> = {};
  const runtimeConfiguration: Record<string, string> = {};
  for (const f of d.Features ?? []) {
    if (!f.Name) continue;
    features[f.Name] = f.Status ?? 'UNKNOWN';
    if (f.Name !== 'RUNTIME_MONITORING') continue;
    for (const c of f.AdditionalConfiguration ?? [])
      if (c.Name) runtimeConfiguration[c.Name] = c.Status ?? 'UNKNOWN';
  }
  return {
    ...base,
    kind: 'GuardDutyDetector',
    exists: true,
    ...(d.Status ? { status: d.Status } : {}),
    features,
    runtimeConfiguration,
    ...(d.Tags ? { tags: d.Tags } : {}),
  };
}
