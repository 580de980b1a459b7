/** Task definition rule (AWS::ECS::TaskDefinition). */
import { parseImage } from './image';
import { TD, perContainer } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdMutableImage = resourceRule({
  family: 'resource',
  id: 'td-mutable-image',
  title: 'Container image is not pinned',
  severity: 'medium',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description: 'An image uses tag `latest`, or has neither a tag nor an `@sha256:` digest.',
  advice: 'Version container images with immutable tags or pin them by digest.',
  // The project's own mapping: no Security Hub control checks this.
  ownFrameworks: { 'nist-800-53-r5': ['CM-2', 'SI-7'], 'pci-dss-4.0.1': ['6.3.2'] },
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
