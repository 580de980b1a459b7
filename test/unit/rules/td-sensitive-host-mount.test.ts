/** td-sensitive-host-mount: the rule on its own (direct checks) and end to end through the engine. */
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../../shared/model/finding';
import { check, evaluateOne, only, paramsWith, registerTaskDefinitionEvent, taskDefinition } from './helpers';

/** Findings of one RegisterTaskDefinition built from `def` (see registerTaskDefinitionEvent). */
async function findingsOf(def: Record<string, unknown>): Promise<Finding[]> {
  return (await evaluateOne(registerTaskDefinitionEvent(def))).findings;
}

describe('td-sensitive-host-mount', () => {
  const mounted = (hostSourcePath: string, params?: unknown) =>
    check('td-sensitive-host-mount', taskDefinition({ volumes: [{ name: 'v', hostSourcePath }] }), params)[0]
      ?.message;

  it('fires for /, every sensitive path, and paths under them', () => {
    for (const p of [
      '/',
      '/etc',
      '/etc/passwd',
      '/proc',
      '/proc/1/root',
      '/sys/fs/cgroup',
      '/dev',
      '/boot',
      '/root/.ssh',
      '/var/run/docker.sock',
      '/run/docker.sock',
      '/run/containerd/containerd.sock',
      '/var/lib/docker',
      '/var/lib/docker/volumes',
    ])
      expect(mounted(p), p).toBeDefined();
  });

  it('normalizes trailing and repeated slashes, and names the normalized path', () => {
    expect(mounted('/etc/')).toBe('volume "v" mounts host path /etc');
    expect(mounted('//var//run/docker.sock')).toBe('volume "v" mounts host path /var/run/docker.sock');
    expect(mounted('/var/run/docker.sock/')).toBe('volume "v" mounts host path /var/run/docker.sock');
    expect(mounted('///')).toBe('volume "v" mounts host path /');
  });

  it('resolves . and .. segments (no escape through /tmp/../etc)', () => {
    expect(mounted('/var/log/../../etc/shadow')).toBe('volume "v" mounts host path /etc/shadow');
    expect(mounted('/./proc')).toBe('volume "v" mounts host path /proc');
    expect(mounted('/data/./app/../cache')).toBeUndefined();
  });

  it('does not fire for siblings with a common prefix or ordinary paths', () => {
    for (const p of [
      '/etcetera',
      '/etc2',
      '/proceed',
      '/device',
      '/rooted',
      '/var/run/docker.sock.d',
      '/data',
      '/var/log/app',
      '/var/lib/dockerd',
    ])
      expect(mounted(p), p).toBeUndefined();
  });

  it('ignores volumes without a host source path', () => {
    expect(
      check(
        'td-sensitive-host-mount',
        taskDefinition({
          volumes: [{ name: 'docker-managed' }, { name: 'efs', efsTransitEncryption: 'ENABLED' }],
        }),
      ),
    ).toEqual([]);
  });

  it('uses custom sensitive paths from the policy (root stays sensitive)', () => {
    const params = paramsWith('td-sensitive-host-mount', { sensitivePaths: ['/data/'] });
    expect(mounted('/data/secrets', params)).toBeDefined();
    expect(mounted('/', params)).toBeDefined();
    expect(mounted('/etc', params)).toBeUndefined();
  });

  it('end to end', async () => {
    const f = only(
      await findingsOf({
        networkMode: 'bridge',
        requiresCompatibilities: ['EC2'],
        volumes: [
          { name: 'docker-sock', host: { sourcePath: '//var//run/docker.sock' } },
          { name: 'logs', host: { sourcePath: '/var/log/app' } },
          { name: 'scratch', host: {} },
        ],
      }),
      'td-sensitive-host-mount',
    );
    expect(f.severity).toBe('high');
    expect(f.evidence).toEqual([
      {
        path: 'volumes[0].host.sourcePath',
        message: 'volume "docker-sock" mounts host path /var/run/docker.sock',
      },
    ]);
  });
});

describe('td-sensitive-host-mount: compliant input', () => {
  it('a compliant task definition passes (direct)', () => {
    expect(check('td-sensitive-host-mount', taskDefinition())).toEqual([]);
  });
});
