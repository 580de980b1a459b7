/** Task definition rule (AWS::ECS::TaskDefinition). */
import { posix } from 'node:path';
import * as v from 'valibot';
import { TD, perParams } from './task-definition/helpers';
import { resourceRule } from './types';

const DEFAULT_SENSITIVE = [
  '/etc',
  '/proc',
  '/sys',
  '/dev',
  '/boot',
  '/root',
  '/var/run/docker.sock',
  '/run/docker.sock',
  '/run/containerd',
  '/var/lib/docker',
];

function normalizePath(p: string): string {
  // Resolve `.`/`..` as the kernel does (`/tmp/../etc` is `/etc`), collapse slashes, drop a trailing one.
  const collapsed = posix.normalize(p.trim());
  return collapsed.length > 1 ? collapsed.replace(/\/$/, '') : collapsed;
}

const sensitivePathsOf = perParams((list) => list.map(normalizePath));

export const tdSensitiveHostMount = resourceRule({
  family: 'resource',
  id: 'td-sensitive-host-mount',
  title: 'Sensitive host path mounted',
  severity: 'high',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    "A volume's `host.sourcePath` is `/`, or is or lies under a sensitive path (`/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, the Docker and containerd sockets, `/var/lib/docker`).",
  advice: 'Do not mount host system paths or the container runtime socket into tasks.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-6', 'SC-39'], 'pci-dss-4.0.1': ['2.2.6'] },
  controls: { seeds: ['Storage and security chapters: avoid sensitive host mounts'] },
  params: {
    schema: v.object({ sensitivePaths: v.array(v.string()) }),
    defaults: { sensitivePaths: DEFAULT_SENSITIVE },
  },
  check: (td, p) => {
    const sensitive = sensitivePathsOf(p.sensitivePaths);
    return td.volumes.flatMap((vol, i) => {
      if (vol.hostSourcePath === undefined) return [];
      const path = normalizePath(vol.hostSourcePath);
      const hit = path === '/' || sensitive.some((s) => path === s || path.startsWith(`${s}/`));
      return hit
        ? [
            {
              path: `volumes[${i}].host.sourcePath`,
              message: `volume "${vol.name}" mounts host path ${path}`,
            },
          ]
        : [];
    });
  },
});
