/**
 * What the tag rules read from events: a create call shows every tag (none = no tag), other calls show
 * none (unknown); TagResource / UntagResource name a resource whose current tags need enrichment.
 */
import { describe, expect, it } from 'vitest';
import { InvalidEventError } from '../../../shared/events/errors';
import { normalize } from '../../../shared/events/normalize';
import { parseEvent } from '../../../shared/events/parse';
import { ACCOUNT, cloudTrailEvent, createService, registerTaskDefinitionEvent, REGION } from '../rules/helpers';
import { tagEventOf } from '../rules/tags-helpers';

const norm = (raw: unknown) => normalize(parseEvent(raw));
const SERVICE_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/checkout-api`;

describe('tags in events', () => {
  it('CreateService / CreateCluster / RegisterTaskDefinition without tags: the resource has none ({})', () => {
    expect(norm(createService({})).resources[0]!.tags).toEqual({});
    expect(norm(cloudTrailEvent({ eventName: 'CreateCluster', requestParameters: { clusterName: 'c' } })).resources[0]!.tags).toEqual({});
    expect(norm(registerTaskDefinitionEvent()).resources[0]!.tags).toEqual({});
  });

  it('create calls with tags carry them; UpdateService and UpdateCluster leave tags unknown', () => {
    expect(norm(createService({ tags: [{ key: 'team', value: 'a' }] })).resources[0]!.tags).toEqual({ team: 'a' });
    const update = cloudTrailEvent({
      eventName: 'UpdateService',
      requestParameters: { cluster: 'prod-cluster', service: 'checkout-api', desiredCount: 2 },
    });
    expect(norm(update).resources[0]!.tags).toBeUndefined();
    const cluster = cloudTrailEvent({ eventName: 'UpdateCluster', requestParameters: { cluster: 'c', settings: [] } });
    expect(norm(cluster).resources[0]!.tags).toBeUndefined();
  });

  it('TagResource / UntagResource: no resource from the event, an incomplete naming what enrichment reads', () => {
    for (const name of ['TagResource', 'UntagResource'] as const) {
      const n = norm(tagEventOf(name, SERVICE_ARN));
      expect(n.resources).toEqual([]);
      expect(n.incomplete).toMatchObject({
        tagged: { kind: 'Service', arn: SERVICE_ARN, clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/prod-cluster` },
      });
      expect(n.incomplete!.reason).toContain('needs --enrich');
    }
    expect(norm(tagEventOf('TagResource', `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/c`)).incomplete?.tagged?.kind).toBe('Cluster');
    expect(norm(tagEventOf('TagResource', `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/f:3`)).incomplete?.tagged?.kind).toBe(
      'TaskDefinition',
    );
  });

  it('a TagResource naming a resource of another account or region (a lying event) reads nothing', () => {
    for (const arn of [
      `arn:aws:ecs:${REGION}:999988887777:service/prod/api`,
      `arn:aws:ecs:eu-north-1:${ACCOUNT}:cluster/prod`,
    ]) {
      const n = norm(tagEventOf('TagResource', arn));
      expect(n.resources).toEqual([]);
      expect(n.incomplete?.tagged).toBeUndefined();
      expect(n.incomplete?.reason).toContain('another account or region');
    }
  });

  it('a TagResource whose resourceArn has the wrong JSON type is an invalid event naming the path, never the value', () => {
    const secret = 'AKIAIOSFODNN7EXAMPLE';
    for (const resourceArn of [42, { arn: secret }, [secret], '']) {
      const raw = cloudTrailEvent({ eventName: 'TagResource', requestParameters: { resourceArn, tags: [] } });
      let err: unknown;
      try {
        norm(raw);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidEventError);
      expect((err as Error).message).toContain('detail.requestParameters.resourceArn');
      expect((err as Error).message).not.toContain(secret);
    }
  });

  it('a TagResource whose tags are malformed is still read (the tags are taken from the resource, not the event)', () => {
    const raw = cloudTrailEvent({ eventName: 'TagResource', requestParameters: { resourceArn: SERVICE_ARN, tags: 'x' } });
    expect(norm(raw).incomplete?.tagged?.arn).toBe(SERVICE_ARN);
  });
});
