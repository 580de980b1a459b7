/** Builders for the tag rules' tests (svc-, cluster-, td-missing-tags are off by default). */
import type { Enricher } from '../../../shared/engine/enrich';
import { evaluateRaw } from '../../../shared/engine/run';
import { MemoryWindowCounter } from '../../../shared/engine/windows';
import type { Finding } from '../../../shared/model/finding';
import { parsePolicy } from '../../../shared/policy/load';
import type { Policy } from '../../../shared/policy/types';
import { cloudTrailEvent } from './helpers';

/** The default policy with `ruleId` turned on (notify), and its parameters when given. */
export function policyOn(ruleId: string, params?: Record<string, unknown>): Policy {
  const rule = params ? `{ mode: notify, params: ${JSON.stringify(params)} }` : '{ mode: notify }';
  return parsePolicy(`rules:\n  ${ruleId}: ${rule}\n`);
}

export async function runWith(policy: Policy, raw: unknown, enricher?: Enricher): Promise<Finding[]> {
  const r = await evaluateRaw(raw, {
    policy,
    counter: new MemoryWindowCounter(),
    now: () => new Date('2026-03-10T00:00:00Z'),
    ...(enricher ? { enricher } : {}),
  });
  return r.findings;
}

/**
 * A TagResource / UntagResource as CloudTrail records it: `requestParameters` names the resource and the
 * tags (or keys); `responseElements` is null (the API answers nothing). Shape: the ECS API reference's
 * TagResource / UntagResource request syntax.
 */
export function tagEventOf(eventName: 'TagResource' | 'UntagResource', resourceArn: string) {
  return cloudTrailEvent({
    eventName,
    requestParameters:
      eventName === 'TagResource'
        ? { resourceArn, tags: [{ key: 'team', value: 'payments' }] }
        : { resourceArn, tagKeys: ['team'] },
    responseElements: null,
  });
}
