/** Task definition rule (AWS::ECS::TaskDefinition). */
import * as v from 'valibot';
import type { Evidence } from '../model/finding';
import { TD, perParams } from './task-definition/helpers';
import { resourceRule } from './types';

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

const denySetOf = perParams((list) => new Set(list.map(normCap)));

export const tdDangerousCapabilities = resourceRule({
  family: 'resource',
  id: 'td-dangerous-capabilities',
  title: 'Dangerous Linux capability added',
  severity: 'high',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    '`linuxParameters.capabilities.add` contains a capability from the deny list (with or without `CAP_`, any case).',
  advice: 'Remove unneeded Linux capabilities; drop ALL and add back only what the process needs.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['AC-6', 'CM-7'], 'pci-dss-4.0.1': ['2.2.6'] },
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
