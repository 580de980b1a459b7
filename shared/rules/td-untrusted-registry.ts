/** Task definition rule (AWS::ECS::TaskDefinition). */
import * as v from 'valibot';
import { globToRegExp } from '../base/glob';
import { parseImage } from './image';
import { TD, perContainer, perParams } from './task-definition/helpers';
import { resourceRule } from './types';

const allowRegExpsOf = perParams((list) => list.map((g) => globToRegExp(g, { ignoreCase: true })));

export const tdUntrustedRegistry = resourceRule({
  family: 'resource',
  id: 'td-untrusted-registry',
  title: 'Container image from a registry not on the allow-list',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    "An image's registry is not on the allow-list (default: private ECR and `public.ecr.aws`; an image without a registry host is Docker Hub).",
  advice: 'Create a set of curated images in registries you control (ECR) and pull only from those.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['CM-7(5)', 'SI-7'], 'pci-dss-4.0.1': ['6.3.2'] },
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
