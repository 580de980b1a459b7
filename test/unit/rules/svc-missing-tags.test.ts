/** svc-missing-tags: the rule on its own (opt-in), and CreateService / TagResource end to end. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../shared/policy/load';
import { getRule } from '../../../shared/rules/registry';
import { check, createService, evaluateOne, paramsWith, service, stubEnricherWith } from './helpers';
import { tagEventOf, policyOn, runWith } from './tags-helpers';

const SERVICE_ARN = 'arn:aws:ecs:us-west-2:111122223333:service/prod-cluster/checkout-api';

describe('svc-missing-tags', () => {
  it('is opt-in: off in the default policy, low', () => {
    expect(getRule('svc-missing-tags')).toMatchObject({
      defaultMode: 'off',
      severity: 'low',
      controls: { securityHub: 'ECS.13' },
    });
    expect(DEFAULT_POLICY.rules['svc-missing-tags']?.mode).toBe('off');
  });

  it('no required keys: fires on a service without any tag (aws: system tags do not count)', () => {
    expect(check('svc-missing-tags', service({ tags: {} }))).toEqual([
      { path: 'tags', message: 'service "checkout-api" has no tag' },
    ]);
    expect(
      check('svc-missing-tags', service({ tags: { 'aws:cloudformation:stack-name': 'x' } })),
    ).toHaveLength(1);
    expect(check('svc-missing-tags', service({ tags: { team: 'payments' } }))).toEqual([]);
  });

  it('required keys: names the missing ones (case-sensitive, as tag keys are)', () => {
    const p = paramsWith('svc-missing-tags', { requiredTagKeys: ['team', 'cost-center'] });
    expect(check('svc-missing-tags', service({ tags: { Team: 'x', 'cost-center': '1' } }), p)).toEqual([
      { path: 'tags', message: 'service "checkout-api" lacks the required tag key(s) "team"' },
    ]);
    expect(check('svc-missing-tags', service({ tags: { team: 'x', 'cost-center': '1' } }), p)).toEqual([]);
  });

  it('tags the source did not show: no verdict', () => {
    expect(check('svc-missing-tags', service({ tags: undefined }))).toEqual([]);
  });

  it('the policy refuses more than 6 required keys, naming the key', () => {
    const rule = getRule('svc-missing-tags')!;
    const ok = rule.params!.schema['~standard'].validate({
      requiredTagKeys: ['a', 'b', 'c', 'd', 'e', 'f', 'g'],
    });
    expect('issues' in ok && ok.issues?.length).toBeTruthy();
  });

  it('end to end (rule on): CreateService without tags fires; with tags it does not; UpdateService gives no verdict', async () => {
    const on = policyOn('svc-missing-tags');
    expect((await runWith(on, createService({}))).map((f) => f.ruleId)).toContain('svc-missing-tags');
    expect(
      (await runWith(on, createService({ tags: [{ key: 'team', value: 'payments' }] }))).map((f) => f.ruleId),
    ).not.toContain('svc-missing-tags');
  });

  it('end to end: TagResource / UntagResource re-read the service as it is now (enrichment)', async () => {
    const on = policyOn('svc-missing-tags');
    const untagged = service({ arn: SERVICE_ARN, tags: {} });
    const enricher = stubEnricherWith({ services: { [SERVICE_ARN]: untagged } }, {});
    const found = await runWith(on, tagEventOf('UntagResource', SERVICE_ARN), enricher);
    expect(found.filter((f) => f.ruleId === 'svc-missing-tags')).toHaveLength(1);
    expect(enricher.calls).toContain(`describeService ${SERVICE_ARN}`);
    const tagged = stubEnricherWith(
      { services: { [SERVICE_ARN]: service({ arn: SERVICE_ARN, tags: { team: 'x' } }) } },
      {},
    );
    expect(
      (await runWith(on, tagEventOf('TagResource', SERVICE_ARN), tagged)).filter(
        (f) => f.ruleId === 'svc-missing-tags',
      ),
    ).toEqual([]);
  });

  it('end to end: TagResource without enrichment is "not checked: needs --enrich", never a verdict', async () => {
    const r = await evaluateOne(tagEventOf('TagResource', SERVICE_ARN));
    expect(r.findings).toEqual([]);
    expect(JSON.stringify(r)).toContain('needs --enrich');
  });
});
