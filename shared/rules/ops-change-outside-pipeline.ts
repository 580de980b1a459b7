/**
 * ops-change-outside-pipeline: a successful ECS write call by a principal that is not one of the
 * deployment pipelines (param `allowPrincipals`, globs over `userIdentity.arn`; empty = inactive).
 */
import * as v from 'valibot';
import type { EcsWriteSignal } from '../events/signals';
import { globMatches } from '../base/glob';
import { signalRule } from './types';

/** ECS's service-linked role and every AWS service principal act for AWS, not for a person. */
export function isAwsServicePrincipal(s: EcsWriteSignal): boolean {
  if (s.callerType === 'AWSService') return true;
  // The issuer's path says service-linked role; without an issuer, the assumed role's name does.
  if (s.callerRoleArn !== undefined) return s.callerRoleArn.includes(':role/aws-service-role/');
  return /:assumed-role\/AWSServiceRoleFor[A-Za-z0-9]*\//.test(s.callerArn ?? '');
}

const glob = v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(2048));

export const opsChangeOutsidePipeline = signalRule({
  family: 'signal',
  id: 'ops-change-outside-pipeline',
  title: 'ECS changed outside the deployment pipeline',
  severity: 'medium',
  resourceType: 'AWS::ECS::Service',
  appliesTo: 'ecsWrite',
  description:
    'A successful ECS write call (RegisterTaskDefinition, DeregisterTaskDefinition, Create/Update/DeleteService, Create/Update/DeleteTaskSet, RunTask, StartTask, StopTask, DeleteCluster, UpdateCluster, UpdateClusterSettings, PutClusterCapacityProviders) by a principal matching none of `allowPrincipals` (globs over `userIdentity.arn`; empty, the default, turns the rule off); ECS and AWS service principals are never flagged.',
  advice: 'Change ECS only through the deployment pipelines; give people read-only access to the ECS API.',
  controls: { seeds: ['G-06 Isolate end users from the ECS API through pipelines'] },
  ownFrameworks: { 'nist-800-53-r5': ['CM-3', 'CM-5', 'AC-5'], 'pci-dss-4.0.1': ['6.5.1', '7.2.1'] },
  params: {
    schema: v.object({ allowPrincipals: v.pipe(v.array(glob), v.maxLength(100)) }),
    defaults: { allowPrincipals: [] as string[] },
  },
  check: (s, p) => {
    if (p.allowPrincipals.length === 0 || isAwsServicePrincipal(s)) return undefined;
    const caller = s.callerArn;
    if (caller !== undefined && p.allowPrincipals.some((g) => globMatches(g, caller))) return undefined;
    return {
      resource: { type: s.resourceType, arn: s.resourceArn },
      evidence: [
        {
          path: 'detail.userIdentity.arn',
          message: `${s.eventName} by ${caller ?? 'an unknown caller'}, which matches none of allowPrincipals`,
        },
      ],
    };
  },
});
