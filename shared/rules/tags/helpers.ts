/** Helpers of the tagging rules (svc-, cluster-, td-missing-tags: Security Hub ECS.13, ECS.14, ECS.15). */
import * as v from 'valibot';
import type { Evidence } from '../../model/finding';
import type { Tags } from '../../model/resources';
import type { ParamSpec } from '../types';

export interface RequiredTags {
  /** Keys that must be present (at most 6, as Security Hub's parameter); empty: any one tag will do. */
  readonly requiredTagKeys: readonly string[];
}

/** Tag keys are 1-128 characters (ECS); Security Hub takes at most 6 required keys. */
export const REQUIRED_TAGS_PARAMS: ParamSpec<RequiredTags> = {
  schema: v.object({
    requiredTagKeys: v.pipe(
      v.array(v.pipe(v.string(), v.minLength(1), v.maxLength(128))),
      v.maxLength(6, 'at most 6 required tag keys'),
    ),
  }),
  defaults: { requiredTagKeys: [] },
};

/** System tags (`aws:` prefix, added by AWS services) are not the owner's tags: Security Hub ignores them. */
const isSystemTag = (key: string): boolean => key.toLowerCase().startsWith('aws:');

/** `tags` undefined: the source did not show them, no verdict. */
export function missingTagsEvidence(tags: Tags | undefined, p: RequiredTags, what: string): Evidence[] {
  if (tags === undefined) return [];
  const keys = Object.keys(tags).filter((k) => !isSystemTag(k));
  if (p.requiredTagKeys.length === 0)
    return keys.length ? [] : [{ path: 'tags', message: `${what} has no tag` }];
  const present = new Set(keys);
  const missing = p.requiredTagKeys.filter((k) => !present.has(k));
  return missing.length
    ? [
        {
          path: 'tags',
          message: `${what} lacks the required tag key(s) ${missing.map((k) => `"${k}"`).join(', ')}`,
        },
      ]
    : [];
}
