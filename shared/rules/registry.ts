/**
 * Every rule the product ships: one file per rule beside this one, one line here per rule (the order is the
 * README table's). The one list the engine, policy and docs read. `npm run new-rule -- <id>` adds both lines.
 */
import type { Rule } from './types';
import { clusterContainerInsightsDisabled } from './cluster-container-insights-disabled';
import { clusterMissingTags } from './cluster-missing-tags';
import { instanceImdsReachable } from './instance-imds-reachable';
import { instancePrivilegedAllowed } from './instance-privileged-allowed';
import { opsDeploymentFailed } from './ops-deployment-failed';
import { opsTaskPlacementFailure } from './ops-task-placement-failure';
import { sgWorldOpenAdminPort } from './sg-world-open-admin-port';
import { svcExecEnabled } from './svc-exec-enabled';
import { svcFargatePlatformOutdated } from './svc-fargate-platform-outdated';
import { svcMissingTags } from './svc-missing-tags';
import { svcPublicIp } from './svc-public-ip';
import { taskExecEnabled } from './task-exec-enabled';
import { taskPublicIp } from './task-public-ip';
import { tasksetPublicIp } from './taskset-public-ip';
import { tdDangerousCapabilities } from './td-dangerous-capabilities';
import { tdEfsNoTransitEncryption } from './td-efs-no-transit-encryption';
import { tdHostIpc } from './td-host-ipc';
import { tdHostNetwork } from './td-host-network';
import { tdHostPid } from './td-host-pid';
import { tdMissingTags } from './td-missing-tags';
import { tdMutableImage } from './td-mutable-image';
import { tdNoLogging } from './td-no-logging';
import { tdPrivileged } from './td-privileged';
import { tdRootUser } from './td-root-user';
import { tdSecretsInEnvironment } from './td-secrets-in-environment';
import { tdSensitiveHostMount } from './td-sensitive-host-mount';
import { tdTaskRoleWildcard } from './td-task-role-wildcard';
import { tdUntrustedRegistry } from './td-untrusted-registry';
import { tdWritableRootFs } from './td-writable-root-fs';
import { throttleApiCalls } from './throttle-api-calls';
import { throttleEcsOperation } from './throttle-ecs-operation';

export const RULES: readonly Rule[] = [
  tdPrivileged,
  tdHostNetwork,
  tdHostPid,
  tdHostIpc,
  tdRootUser,
  tdWritableRootFs,
  tdDangerousCapabilities,
  tdSecretsInEnvironment,
  tdNoLogging,
  tdMutableImage,
  tdUntrustedRegistry,
  tdEfsNoTransitEncryption,
  tdSensitiveHostMount,
  tdTaskRoleWildcard,
  tdMissingTags,
  svcPublicIp,
  svcExecEnabled,
  svcFargatePlatformOutdated,
  svcMissingTags,
  tasksetPublicIp,
  taskPublicIp,
  taskExecEnabled,
  clusterContainerInsightsDisabled,
  clusterMissingTags,
  instancePrivilegedAllowed,
  instanceImdsReachable,
  throttleEcsOperation,
  throttleApiCalls,
  opsDeploymentFailed,
  opsTaskPlacementFailure,
  sgWorldOpenAdminPort,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));

export function getRule(id: string): Rule | undefined {
  return RULES_BY_ID.get(id);
}
