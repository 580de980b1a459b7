/** td-missing-tags: the rule on its own (opt-in), and RegisterTaskDefinition / UntagResource end to end. */
import { describe, expect, it } from 'vitest';
import { getRule } from '../../../shared/rules/registry';
import {
  ACCOUNT,
  check,
  registerTaskDefinitionEvent,
  REGION,
  stubEnricherWith,
  taskDefinition,
} from './helpers';
import { policyOn, runWith, tagEventOf } from './tags-helpers';

const TD_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/checkout-api:42`;

describe('td-missing-tags', () => {
  it('is opt-in (off), low, Security Hub ECS.15', () => {
    expect(getRule('td-missing-tags')).toMatchObject({
      defaultMode: 'off',
      severity: 'low',
      controls: { securityHub: 'ECS.15' },
    });
  });

  it('fires on a revision with no tag; not on a tagged one; no verdict when tags are unknown', () => {
    expect(check('td-missing-tags', taskDefinition({ tags: {} }))).toEqual([
      { path: 'tags', message: 'task definition "checkout-api:42" has no tag' },
    ]);
    expect(check('td-missing-tags', taskDefinition({ tags: { team: 'x' } }))).toEqual([]);
    expect(check('td-missing-tags', taskDefinition({ tags: undefined }))).toEqual([]);
  });

  it('end to end: RegisterTaskDefinition without tags fires; with request tags it does not', async () => {
    const on = policyOn('td-missing-tags');
    expect((await runWith(on, registerTaskDefinitionEvent())).map((f) => f.ruleId)).toContain(
      'td-missing-tags',
    );
    const tagged = registerTaskDefinitionEvent({ tags: [{ key: 'team', value: 'payments' }] });
    expect((await runWith(on, tagged)).map((f) => f.ruleId)).not.toContain('td-missing-tags');
  });

  it('end to end: UntagResource reads the current tags (ListTagsForResource), the revision from the cache', async () => {
    const on = policyOn('td-missing-tags');
    const stale = taskDefinition({ arn: TD_ARN, tags: { team: 'x' } }); // what a cached describe still says
    const enricher = stubEnricherWith({ taskDefinitions: { [TD_ARN]: stale } }, { tags: { [TD_ARN]: {} } });
    const found = await runWith(on, tagEventOf('UntagResource', TD_ARN), enricher);
    expect(found.filter((f) => f.ruleId === 'td-missing-tags')).toHaveLength(1);
    expect(enricher.calls).toEqual(
      expect.arrayContaining([`describeTaskDefinition ${TD_ARN}`, `listTags ${TD_ARN}`]),
    );
  });

  it('end to end: a tag event on a resource that no longer exists: not checked, no crash', async () => {
    const on = policyOn('td-missing-tags');
    expect(await runWith(on, tagEventOf('TagResource', TD_ARN), stubEnricherWith({}, {}))).toEqual([]);
  });

  it('tag events on kinds no rule reads (task, capacity provider, non-ECS ARN) are ignored', async () => {
    const on = policyOn('td-missing-tags');
    for (const arn of [
      `arn:aws:ecs:${REGION}:${ACCOUNT}:task/prod/abc`,
      `arn:aws:ecs:${REGION}:${ACCOUNT}:capacity-provider/cp`,
      `arn:aws:s3:::bucket`,
    ])
      expect(await runWith(on, tagEventOf('TagResource', arn), stubEnricherWith({}, {}))).toEqual([]);
  });
});
