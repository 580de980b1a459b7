/** Workload rule (service, task set or task). */
import * as v from 'valibot';
import { compareVersions } from './workload/helpers';
import { resourceRule } from './types';

export const svcFargatePlatformOutdated = resourceRule({
  family: 'resource',
  id: 'svc-fargate-platform-outdated',
  title: 'Fargate service pinned to an outdated platform version',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'Service',
  description: 'A Fargate service pinned to a `platformVersion` other than `LATEST` and below `1.4.0`.',
  advice: 'Use platform version LATEST (or at least 1.4.0) to receive Fargate security patches.',
  controls: {
    securityHub: 'ECS.10',
    config: 'ecs-fargate-latest-platform-version',
    checkov: 'CKV_AWS_332',
    prowler: 'ecs_service_fargate_latest_platform_version',
  },
  params: { schema: v.object({ minimumVersion: v.string() }), defaults: { minimumVersion: '1.4.0' } },
  check: (s, p) => {
    const fargate =
      s.launchType === 'FARGATE' ||
      (s.capacityProviders ?? []).some((c) => c === 'FARGATE' || c === 'FARGATE_SPOT');
    const pv = s.platformVersion;
    if (!fargate || !pv || pv.toUpperCase() === 'LATEST') return [];
    return compareVersions(pv, p.minimumVersion) < 0
      ? [
          {
            path: 'platformVersion',
            message: `service "${s.name}" is pinned to Fargate platform ${pv} (< ${p.minimumVersion})`,
          },
        ]
      : [];
  },
});
