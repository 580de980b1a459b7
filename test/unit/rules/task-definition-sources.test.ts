/** Task definitions end to end: where the resource comes from (request, response), its ARN and finding identity. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { getRule } from '../../../shared/rules/registry';
import { detailOf, fixture } from '../events/fixtures';
import {
  apiContainer,
  evaluateOne,
  engine,
  only,
  registerTaskDefinitionEvent,
  ruleIds,
  withRule,
} from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('task definition findings', () => {
  it('a compliant registration yields no finding at all (end to end, built and corpus event)', async () => {
    expect((await findingsOf({})).map((f) => f.ruleId)).toEqual([]);
    const r = await evaluateOne(fixture('cloudtrail-register-task-definition-compliant-fargate.json'));
    expect(r.findings).toEqual([]);
    expect(r.incomplete).toBeUndefined();
  });

  // Which rules fire on this corpus event is the golden test's concern (test/golden).
  it('every finding of the privileged corpus event is on the ARN of the response, with its event', async () => {
    const { findings } = await evaluateOne(fixture('cloudtrail-register-task-definition-privileged.json'));
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      expect(f.resource).toEqual({
        type: 'AWS::ECS::TaskDefinition',
        arn: 'arn:aws:ecs:us-west-2:111122223333:task-definition/node-exporter:7',
        name: 'node-exporter:7',
      });
      expect(f.account).toBe('111122223333');
      expect(f.region).toBe('us-west-2');
      expect(f.mode).toBe(getRule(f.ruleId)?.defaultMode ?? 'notify');
      expect(f.event.eventName).toBe('RegisterTaskDefinition');
      expect(f.event.actor?.roleArn).toBe('arn:aws:iam::111122223333:role/DeployRole');
    }
  });

  it('the same violation seen twice has the same findingId; another revision has another', async () => {
    const def = { containerDefinitions: [apiContainer({ privileged: true })] };
    const a = only(await findingsOf(def), 'td-privileged');
    const b = only(await findingsOf(def), 'td-privileged');
    const c = only(
      (await evaluateOne(registerTaskDefinitionEvent(def, { revision: 43 }))).findings,
      'td-privileged',
    );
    expect(a.findingId).toBe(b.findingId);
    expect(a.findingId).toMatch(/^[0-9a-f]{32}$/);
    expect(c.findingId).not.toBe(a.findingId);
  });
});

describe('task definition sources', () => {
  it('the request is evaluated when the response is missing; the ARN is then built from the family', async () => {
    const event = registerTaskDefinitionEvent({ containerDefinitions: [apiContainer({ privileged: true })] });
    detailOf(event).responseElements = null;
    const f = only((await evaluateOne(event)).findings, 'td-privileged');
    expect(f.resource.arn).toBe('arn:aws:ecs:us-west-2:111122223333:task-definition/checkout-api');
  });

  it('the response (with defaults filled in) wins over the request', async () => {
    const event = registerTaskDefinitionEvent({ containerDefinitions: [apiContainer()] });
    const resp = detailOf(event).responseElements as { taskDefinition: { containerDefinitions: unknown[] } };
    resp.taskDefinition.containerDefinitions = [apiContainer({ privileged: true })];
    expect(ruleIds((await evaluateOne(event)).findings)).toEqual(['td-privileged']);
  });

  it('a task definition registered through several events keeps one findingId per rule', async () => {
    const e = engine();
    const def = { containerDefinitions: [apiContainer({ user: undefined })] };
    const a = await e.runAll([registerTaskDefinitionEvent(def), registerTaskDefinitionEvent(def)]);
    const ids = new Set(withRule(a, 'td-root-user').map((f) => f.findingId));
    expect(ids.size).toBe(1);
  });
});
