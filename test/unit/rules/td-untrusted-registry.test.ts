/** td-untrusted-registry: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  paramsWith,
  registerTaskDefinitionEvent,
  taskDefinition,
} from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-untrusted-registry', () => {
  const msg = (image: string, params?: unknown) =>
    check('td-untrusted-registry', taskDefinition({ containers: [container({ image })] }), params)[0]
      ?.message;

  it('Docker Hub short names and explicit docker.io are untrusted by default', () => {
    for (const image of [
      'nginx',
      'nginx:1.27',
      'library/nginx:1.27',
      'bitnami/redis:7.2',
      'docker.io/library/nginx:1.27',
    ])
      expect(msg(image), image).toBe('container "app" pulls from Docker Hub (docker.io)');
  });

  it('other public or private registries are untrusted by default', () => {
    expect(msg('quay.io/prometheus/node-exporter:v1.8.2')).toBe('container "app" pulls from quay.io');
    expect(msg('ghcr.io/org/app:1.0')).toBe('container "app" pulls from ghcr.io');
    expect(msg('localhost:5000/img:1.0')).toBe('container "app" pulls from localhost:5000');
    expect(msg('public.ecr.aws.evil.example/img:1.0')).toContain('public.ecr.aws.evil.example');
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com.evil.example/img:1.0')).toContain(
      'evil.example',
    );
  });

  it('private ECR (any account and region, China too) and public.ecr.aws are trusted', () => {
    for (const image of [
      '111122223333.dkr.ecr.us-west-2.amazonaws.com/checkout-api:1.0',
      '123456789012.dkr.ecr.eu-central-1.amazonaws.com/team/app@sha256:3f1c2b7a9e0d4c6b8a7f5e3d1c9b0a8f7e6d5c4b3a29180716253443526170ff',
      '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1.0',
      'public.ecr.aws/docker/library/nginx:1.27',
    ])
      expect(msg(image), image).toBeUndefined();
  });

  it('a custom allow-list from the policy replaces the default', () => {
    const params = paramsWith('td-untrusted-registry', {
      allowRegistries: ['quay.io', '*.example.com', 'docker.io'],
    });
    expect(msg('quay.io/prometheus/node-exporter:v1.8.2', params)).toBeUndefined();
    expect(msg('registry.example.com/team/app:1.0', params)).toBeUndefined();
    expect(msg('nginx:1.27', params)).toBeUndefined();
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com/app:1.0', params)).toContain('dkr.ecr');
    expect(msg('example.com.evil.example/app:1.0', params)).toContain('evil.example');
  });

  it('ignores a container without an image', () => {
    expect(
      check('td-untrusted-registry', taskDefinition({ containers: [container({ image: undefined })] })),
    ).toEqual([]);
  });

  it('end to end', async () => {
    const f = only(
      await findingsOf({
        containerDefinitions: [
          apiContainer({ name: 'hub', image: 'nginx:1.27' }),
          apiContainer({ name: 'ecr' }),
        ],
      }),
      'td-untrusted-registry',
    );
    expect(f.evidence).toEqual([
      {
        path: 'containerDefinitions[0].image',
        message: 'container "hub" pulls from Docker Hub (docker.io)',
        container: 'hub',
      },
    ]);
  });
});

describe('td-untrusted-registry: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-untrusted-registry', taskDefinition())).toEqual([]);
  });
});
