/** Task definition rules (AWS::ECS::TaskDefinition). Each check is pure and lists every offending container. */
import { posix } from 'node:path';
import * as v from 'valibot';
import type { Evidence } from '../model/finding';
import type { ContainerDefinition, TaskDefinitionResource } from '../model/resources';
import { globToRegExp } from '../base/glob';
import { parseImage } from './image';
import { compileSecretPatterns, redactName, secretReason, type SecretPatterns } from './secrets';
import { resourceRule, type Rule } from './types';

const TD = 'AWS::ECS::TaskDefinition';
const isWindows = (td: TaskDefinitionResource): boolean =>
  (td.osFamily ?? '').toUpperCase().startsWith('WINDOWS');

function perContainer(
  td: TaskDefinitionResource,
  fn: (c: ContainerDefinition, path: string) => string | undefined,
  field: string,
): Evidence[] {
  const out: Evidence[] = [];
  td.containers.forEach((c, i) => {
    const message = fn(c, `containerDefinitions[${i}]`);
    if (message) out.push({ path: `containerDefinitions[${i}].${field}`, message, container: c.name });
  });
  return out;
}

const privileged = resourceRule({
  family: 'resource',
  id: 'td-privileged',
  title: 'Privileged container in task definition',
  severity: 'critical',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'Any container has `privileged: true`.',
  advice: 'Avoid running containers as privileged: a privileged container has root on the host.',
  controls: {
    securityHub: 'ECS.4',
    config: 'ecs-containers-nonprivileged',
    checkov: 'CKV_AWS_334',
    prowler: 'ecs_task_definitions_no_privileged_containers',
    seeds: ['Avoid running containers as privileged'],
  },
  remediation: {
    action: 'deregister-task-definition',
    summary: 'Deregister the revision; stop standalone tasks already running it.',
  },
  check: (td) =>
    perContainer(
      td,
      (c) => (c.privileged === true ? `container "${c.name}" is privileged` : undefined),
      'privileged',
    ),
});

function modeRule(
  id: string,
  field: 'networkMode' | 'pidMode' | 'ipcMode',
  severity: 'high' | 'medium',
  title: string,
  sh?: string,
  extra: object = {},
): Rule {
  return resourceRule({
    family: 'resource',
    id,
    title,
    severity,
    resourceType: TD,
    appliesTo: 'TaskDefinition',
    description: `\`${field}\` is \`host\`.`,
    advice: `Do not share the host's ${field === 'networkMode' ? 'network stack' : field === 'pidMode' ? 'process namespace' : 'IPC namespace'} with containers.`,
    controls: { ...(sh ? { securityHub: sh } : {}), ...extra },
    check: (td: TaskDefinitionResource) =>
      td[field] === 'host' ? [{ path: field, message: `${field} is "host"` }] : [],
  });
}

const ROOT_USER = /^(root|0)(:.*)?$/;

const rootUser = resourceRule({
  family: 'resource',
  id: 'td-root-user',
  title: 'Container runs as root',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'A Linux container has no `user`, or `user` is `root`, `0`, `root:*` or `0:*`.',
  advice: 'Run containers as a non-root user (set `user` to a UID or name other than root).',
  controls: {
    securityHub: 'ECS.20',
    config: 'ecs-task-definition-nonroot-user',
    seeds: ['Run containers as a non-root user'],
  },
  check: (td) =>
    isWindows(td)
      ? []
      : perContainer(
          td,
          (c) =>
            c.user === undefined || c.user === ''
              ? `container "${c.name}" sets no user (runs as the image default, usually root)`
              : ROOT_USER.test(c.user.trim())
                ? `container "${c.name}" runs as root (user "${c.user}")`
                : undefined,
          'user',
        ),
});

const writableRootFs = resourceRule({
  family: 'resource',
  id: 'td-writable-root-fs',
  title: 'Container root filesystem is writable',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: "A container's `readonlyRootFilesystem` is not `true` (Windows not applicable).",
  advice: 'Use a read-only root filesystem; mount writable volumes only where the application writes.',
  controls: { securityHub: 'ECS.5', checkov: 'CKV_AWS_336', seeds: ['Use a read-only root filesystem'] },
  check: (td) =>
    isWindows(td)
      ? []
      : perContainer(
          td,
          (c) =>
            c.readonlyRootFilesystem === true
              ? undefined
              : `container "${c.name}" has a writable root filesystem`,
          'readonlyRootFilesystem',
        ),
});

const DEFAULT_DENY = [
  'ALL',
  'SYS_ADMIN',
  'NET_ADMIN',
  'SYS_MODULE',
  'SYS_RAWIO',
  'SYS_PTRACE',
  'DAC_READ_SEARCH',
  'BPF',
  'PERFMON',
  'SYS_BOOT',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
];
const normCap = (c: string): string => c.trim().toUpperCase().replace(/^CAP_/, '');

/** Values derived from a (readonly) parameter list once per policy instead of once per event. */
function perParams<V>(derive: (list: readonly string[]) => V): (list: readonly string[]) => V {
  const cache = new WeakMap<readonly string[], V>();
  return (list) => {
    let v = cache.get(list);
    if (v === undefined) cache.set(list, (v = derive(list)));
    return v;
  };
}
const denySetOf = perParams((list) => new Set(list.map(normCap)));

const dangerousCapabilities = resourceRule({
  family: 'resource',
  id: 'td-dangerous-capabilities',
  title: 'Dangerous Linux capability added',
  severity: 'high',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    '`linuxParameters.capabilities.add` contains a capability from the deny list (with or without `CAP_`, any case).',
  advice: 'Remove unneeded Linux capabilities; drop ALL and add back only what the process needs.',
  controls: { seeds: ['Remove unneeded Linux capabilities', 'Fargate SYS_PTRACE note'] },
  params: {
    schema: v.object({ denyList: v.array(v.string()) }),
    defaults: { denyList: DEFAULT_DENY },
  },
  check: (td, p) => {
    const deny = denySetOf(p.denyList);
    const out: Evidence[] = [];
    td.containers.forEach((c, i) => {
      const bad = c.capabilitiesAdd.filter((cap) => deny.has(normCap(cap)));
      if (bad.length)
        out.push({
          path: `containerDefinitions[${i}].linuxParameters.capabilities.add`,
          message: `container "${c.name}" adds ${bad.map(normCap).join(', ')}`,
          container: c.name,
        });
    });
    return out;
  },
});

const secretsInEnvironment = resourceRule({
  family: 'resource',
  id: 'td-secrets-in-environment',
  title: 'Credential in plain-text environment variable',
  severity: 'critical',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    'An `environment` entry (or a `logConfiguration.options` key) looks like a credential by name or by value format; the finding names the variable and the reason, never the value.',
  advice:
    'Move credentials to `secrets` (Secrets Manager or SSM Parameter Store) and rotate the exposed value.',
  controls: {
    securityHub: 'ECS.8',
    prowler: 'ecs_task_definitions_no_environment_secrets',
    seeds: ['Managing secrets'],
  },
  params: {
    schema: v.object({
      extraNames: v.array(v.string()),
      extraValues: v.array(
        v.object({
          name: v.string(),
          pattern: v.pipe(
            v.string(),
            v.check((s) => {
              try {
                new RegExp(s);
                return true;
              } catch {
                return false;
              }
            }, 'must be a valid regular expression'),
          ),
        }),
      ),
      allowNames: v.array(v.string()),
    }),
    defaults: { extraNames: [], extraValues: [], allowNames: [] } as SecretPatterns,
  },
  check: (td, p) => {
    const c = compileSecretPatterns(p);
    const out: Evidence[] = [];
    td.containers.forEach((container, i) => {
      // Names and keys are shown; one that carries a value (`DB_PASSWORD=hunter2`) is shown redacted.
      const containerName = redactName(container.name, c);
      container.environment.forEach((e, j) => {
        const reason = secretReason(e.name, e.value, c);
        if (reason)
          out.push({
            path: `containerDefinitions[${i}].environment[${j}]`,
            message: `environment variable "${redactName(e.name, c)}" in container "${containerName}" looks like a credential: ${reason}`,
            container: containerName,
          });
      });
      Object.entries(container.logOptions ?? {}).forEach(([key, value], k) => {
        // Same exclusions as for environment values: flags and references are not secrets.
        const reason = secretReason(key, value, c);
        if (!reason) return;
        const shownKey = redactName(key, c);
        out.push({
          // The key goes into the path only when nothing was redacted from it (paths are not quoted).
          path: `containerDefinitions[${i}].logConfiguration.options${shownKey === key ? `.${key}` : `[${k}]`}`,
          message: `log option "${shownKey}" in container "${containerName}" looks like a credential: ${reason}`,
          container: containerName,
        });
      });
    });
    return out;
  },
});

const noLogging = resourceRule({
  family: 'resource',
  id: 'td-no-logging',
  title: 'Container has no log configuration',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'A container has no `logConfiguration.logDriver`.',
  advice: 'Configure a log driver (awslogs or FireLens) for every container.',
  controls: { securityHub: 'ECS.9' },
  check: (td) =>
    perContainer(
      td,
      (c) => (c.logDriver ? undefined : `container "${c.name}" has no log driver`),
      'logConfiguration',
    ),
});

const mutableImage = resourceRule({
  family: 'resource',
  id: 'td-mutable-image',
  title: 'Container image is not pinned',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'An image uses tag `latest`, or has neither a tag nor an `@sha256:` digest.',
  advice: 'Version container images with immutable tags or pin them by digest.',
  controls: { seeds: ['Version container images using tags'] },
  check: (td) =>
    perContainer(
      td,
      (c) => {
        if (!c.image) return undefined;
        const ref = parseImage(c.image);
        if (ref.digest) return undefined;
        if (!ref.tag) return `container "${c.name}" image has neither a tag nor a digest`;
        return ref.tag === 'latest' ? `container "${c.name}" image uses the "latest" tag` : undefined;
      },
      'image',
    ),
});

const allowRegExpsOf = perParams((list) => list.map((g) => globToRegExp(g, { ignoreCase: true })));

const untrustedRegistry = resourceRule({
  family: 'resource',
  id: 'td-untrusted-registry',
  title: 'Container image from a registry not on the allow-list',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    "An image's registry is not on the allow-list (default: private ECR and `public.ecr.aws`; an image without a registry host is Docker Hub).",
  advice: 'Create a set of curated images in registries you control (ECR) and pull only from those.',
  controls: { seeds: ['Create a set of curated images'] },
  params: {
    schema: v.object({ allowRegistries: v.array(v.string()) }),
    defaults: {
      allowRegistries: ['*.dkr.ecr.*.amazonaws.com', '*.dkr.ecr.*.amazonaws.com.cn', 'public.ecr.aws'],
    },
  },
  check: (td, p) => {
    const allow = allowRegExpsOf(p.allowRegistries);
    return perContainer(
      td,
      (c) => {
        if (!c.image) return undefined;
        const { registry } = parseImage(c.image);
        return allow.some((re) => re.test(registry))
          ? undefined
          : `container "${c.name}" pulls from ${registry === 'docker.io' ? 'Docker Hub (docker.io)' : registry}`;
      },
      'image',
    );
  },
});

const efsTransit = resourceRule({
  family: 'resource',
  id: 'td-efs-no-transit-encryption',
  title: 'EFS volume without transit encryption',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: "A volume's `efsVolumeConfiguration.transitEncryption` is not `ENABLED`.",
  advice: 'Enable transit encryption on every EFS volume.',
  controls: { securityHub: 'ECS.18', checkov: 'CKV_AWS_97' },
  check: (td) =>
    td.volumes.flatMap((vol, i) =>
      vol.efsTransitEncryption !== undefined && vol.efsTransitEncryption !== 'ENABLED'
        ? [
            {
              path: `volumes[${i}].efsVolumeConfiguration.transitEncryption`,
              message: `EFS volume "${vol.name}" has transit encryption ${vol.efsTransitEncryption}`,
            },
          ]
        : [],
    ),
});

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

const sensitiveHostMount = resourceRule({
  family: 'resource',
  id: 'td-sensitive-host-mount',
  title: 'Sensitive host path mounted',
  severity: 'high',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    "A volume's `host.sourcePath` is `/`, or is or lies under a sensitive path (`/etc`, `/proc`, `/sys`, `/dev`, `/boot`, `/root`, the Docker and containerd sockets, `/var/lib/docker`).",
  advice: 'Do not mount host system paths or the container runtime socket into tasks.',
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

export const taskDefinitionRules: readonly Rule[] = [
  privileged,
  modeRule('td-host-network', 'networkMode', 'high', 'Task definition uses the host network', 'ECS.17', {
    config: 'ecs-task-definition-network-mode-not-host',
  }),
  modeRule('td-host-pid', 'pidMode', 'high', 'Task definition shares the host process namespace', 'ECS.3', {
    checkov: 'CKV_AWS_335',
  }),
  modeRule('td-host-ipc', 'ipcMode', 'medium', 'Task definition shares the host IPC namespace'),
  rootUser,
  writableRootFs,
  dangerousCapabilities,
  secretsInEnvironment,
  noLogging,
  mutableImage,
  untrustedRegistry,
  efsTransit,
  sensitiveHostMount,
];
