/** td-mutable-image: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import {
  apiContainer,
  check,
  container,
  evaluateOne,
  only,
  registerTaskDefinitionEvent,
  taskDefinition,
} from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-mutable-image', () => {
  const msg = (image: string | undefined) =>
    check('td-mutable-image', taskDefinition({ containers: [container({ image })] }))[0]?.message;

  it('fires for latest and for no tag at all', () => {
    expect(msg('nginx:latest')).toBe('container "app" image uses the "latest" tag');
    expect(msg('nginx')).toBe('container "app" image has neither a tag nor a digest');
    expect(msg('library/nginx')).toContain('neither a tag nor a digest');
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com/app:latest')).toContain('"latest"');
    expect(msg('111122223333.dkr.ecr.us-west-2.amazonaws.com/team/app')).toContain('neither');
  });

  it('a registry port is not a tag', () => {
    expect(msg('localhost:5000/img')).toContain('neither a tag nor a digest');
    expect(msg('registry.example.com:5000/team/img')).toContain('neither a tag nor a digest');
    expect(msg('localhost:5000/img:latest')).toContain('"latest"');
    expect(msg('localhost:5000/img:2.1.0')).toBeUndefined();
  });

  it('does not fire for a version tag, a digest, or tag + digest', () => {
    const digest = 'sha256:3f1c2b7a9e0d4c6b8a7f5e3d1c9b0a8f7e6d5c4b3a29180716253443526170ff';
    for (const image of [
      'nginx:1.27.3',
      `nginx@${digest}`,
      `nginx:1.27.3@${digest}`,
      `nginx:latest@${digest}`,
      `localhost:5000/img@${digest}`,
      'public.ecr.aws/docker/library/nginx:1.27-alpine',
    ])
      expect(msg(image), image).toBeUndefined();
  });

  it('ignores a container without an image', () => {
    expect(msg(undefined)).toBeUndefined();
  });

  it('end to end', async () => {
    const f = only(
      await findingsOf({
        containerDefinitions: [
          apiContainer({ name: 'a', image: 'public.ecr.aws/nginx/nginx:latest' }),
          apiContainer({ name: 'b', image: 'public.ecr.aws/nginx/nginx' }),
          apiContainer({ name: 'c', image: 'public.ecr.aws/nginx/nginx:1.27' }),
        ],
      }),
      'td-mutable-image',
    );
    expect(f.severity).toBe('medium');
    expect(f.evidence.map((e) => e.container)).toEqual(['a', 'b']);
  });
});

describe('td-mutable-image: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-mutable-image', taskDefinition())).toEqual([]);
  });
});
