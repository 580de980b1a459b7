/** td-security-options-weakened: a container switches off AppArmor, SELinux labels or seccomp. */
import { TD, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

/** The options that disable a kernel confinement (compared trimmed and lower-cased). */
const WEAKENING = new Set([
  'apparmor:unconfined',
  'label:disable',
  'seccomp:unconfined',
  'seccomp=unconfined',
]);

export const tdSecurityOptionsWeakened = resourceRule({
  family: 'resource',
  id: 'td-security-options-weakened',
  title: 'Container security options weakened',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    "A container's `dockerSecurityOptions` contains `apparmor:unconfined`, `label:disable`, `seccomp:unconfined` or `seccomp=unconfined` (any case).",
  advice:
    'Keep the default AppArmor, SELinux and seccomp confinement; grant a specific capability or profile instead of turning it off.',
  controls: { seeds: ['Runtime security'] },
  ownFrameworks: { 'nist-800-53-r5': ['CM-6', 'CM-7', 'SC-39'], 'pci-dss-4.0.1': ['2.2.1'] },
  check: (td) =>
    perContainer(
      td,
      (c) => {
        if (!c.dockerSecurityOptions?.length) return undefined;
        const found = c.dockerSecurityOptions.filter((o) => WEAKENING.has(o.trim().toLowerCase()));
        if (found.length === 0) return undefined;
        const shown = [...new Set(found.map((o) => o.trim().toLowerCase()))].join(', ');
        return `container "${c.name}" disables kernel confinement (${shown})`;
      },
      'dockerSecurityOptions',
    ),
});
