/** The declaration of the `deregister-task-definition` action (its implementation: shared/remediation/deregister-task-definition.ts). */
import * as v from 'valibot';
import { defineActionSpec } from '../action';

export interface DeregisterParams {
  /** Deregister a revision even while an ACTIVE service uses it. */
  readonly deregisterInUse: boolean;
  /** After deregistering, stop the standalone tasks still running the revision (through `stop-task`). */
  readonly stopStandaloneTasks: boolean;
}

export const deregisterTaskDefinitionSpec = defineActionSpec<DeregisterParams>({
  meta: {
    name: 'deregister-task-definition',
    title: 'Deregister the task definition revision',
    followUp: 'stop-task',
    resourceType: 'AWS::ECS::TaskDefinition',
    summary:
      'Deregisters the offending revision (status INACTIVE) so no new task or deployment can use it; then ' +
      'stops the standalone tasks still running it (each through `stop-task`, with its own checks and ' +
      "budget). A service's tasks are left to the service.",
    readCalls: [
      'ecs:DescribeTaskDefinition (include TAGS)',
      'ecs:ListClusters, ecs:ListServices, ecs:DescribeServices (is an ACTIVE service, a deployment or a task set using the revision?)',
      'ecs:ListTasks (desiredStatus RUNNING, per cluster), ecs:DescribeTasks (standalone tasks still running it)',
    ],
    writeCalls: ['ecs:DeregisterTaskDefinition'],
    iamPermissions: [
      'ecs:DescribeTaskDefinition',
      'ecs:DeregisterTaskDefinition',
      'ecs:ListClusters',
      'ecs:ListServices',
      'ecs:DescribeServices',
      'ecs:ListTasks',
      'ecs:DescribeTasks',
      'ecs:ListTagsForResource',
    ],
    risk: 'medium',
    riskNote:
      'Running tasks keep running, but a service that still points at the revision cannot scale out or ' +
      'replace failed tasks (hence the in-use check); deregistration cannot be undone (re-register a new ' +
      'revision instead).',
    skipsWhen: [
      'the revision is already INACTIVE (already compliant: the standalone tasks still running it are still handled)',
      'the finding does not name a revision (family only)',
      'an ACTIVE service still uses the revision, in its task definition, a deployment or a task set (EXTERNAL / CODE_DEPLOY) (unless `deregisterInUse: true`)',
      'AWS says the revision is not privileged (`not violated now`): the event is never trusted',
    ],
  },
  params: {
    schema: v.strictObject({ deregisterInUse: v.boolean(), stopStandaloneTasks: v.boolean() }),
    defaults: { deregisterInUse: false, stopStandaloneTasks: true },
    legacyKeys: ['deregisterInUse', 'stopStandaloneTasks'],
    docs: {
      deregisterInUse: 'deregister a revision even while an ACTIVE service uses it',
      stopStandaloneTasks: 'after deregistering, stop the standalone tasks still running the revision',
    },
  },
});
