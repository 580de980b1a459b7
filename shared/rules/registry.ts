/**
 * Every rule the product ships: one file per rule beside this one, one line here per rule (the order is the
 * README table's). The one list the engine, policy and docs read. `npm run new-rule -- <id>` adds both lines.
 */
import type { Rule } from './types';
import { clusterContainerInsightsDisabled } from './cluster-container-insights-disabled';
import { clusterExecLoggingOff } from './cluster-exec-logging-off';
import { cpTerminationProtectionOff } from './cp-termination-protection-off';
import { clusterMissingTags } from './cluster-missing-tags';
import { imageVulnerableRunning } from './image-vulnerable-running';
import { instanceImdsReachable } from './instance-imds-reachable';
import { instancePrivilegedAllowed } from './instance-privileged-allowed';
import { instanceTaskRoleHostNetwork } from './instance-task-role-host-network';
import { opsChangeOutsidePipeline } from './ops-change-outside-pipeline';
import { opsDeploymentFailed } from './ops-deployment-failed';
import { opsImagePullFailure } from './ops-image-pull-failure';
import { opsTaskOom } from './ops-task-oom';
import { opsTaskPlacementFailure } from './ops-task-placement-failure';
import { svcCircuitBreakerOff } from './svc-circuit-breaker-off';
import { sgWorldOpenAdminPort } from './sg-world-open-admin-port';
import { svcExecEnabled } from './svc-exec-enabled';
import { svcFargatePlatformOutdated } from './svc-fargate-platform-outdated';
import { svcMissingTags } from './svc-missing-tags';
import { svcPublicIp } from './svc-public-ip';
import { taskExecEnabled } from './task-exec-enabled';
import { taskExecSession } from './task-exec-session';
import { taskPublicIp } from './task-public-ip';
import { taskRoleOverride } from './task-role-override';
import { tasksetPublicIp } from './taskset-public-ip';
import { tdDangerousCapabilities } from './td-dangerous-capabilities';
import { tdEfsNoTransitEncryption } from './td-efs-no-transit-encryption';
import { tdExecRoleIsTaskRole } from './td-exec-role-is-task-role';
import { tdHostIpc } from './td-host-ipc';
import { tdHostNetwork } from './td-host-network';
import { tdHostPid } from './td-host-pid';
import { tdMissingTags } from './td-missing-tags';
import { tdMutableImage } from './td-mutable-image';
import { tdNetworkModeNotAwsvpc } from './td-network-mode-not-awsvpc';
import { tdNoLogging } from './td-no-logging';
import { tdNoMemoryLimit } from './td-no-memory-limit';
import { tdNoTaskRole } from './td-no-task-role';
import { tdPrivileged } from './td-privileged';
import { tdRootUser } from './td-root-user';
import { tdSecretsInEnvironment } from './td-secrets-in-environment';
import { tdSecurityOptionsWeakened } from './td-security-options-weakened';
import { tdSensitiveHostMount } from './td-sensitive-host-mount';
import { tdTaskRoleWildcard } from './td-task-role-wildcard';
import { tdUntrustedRegistry } from './td-untrusted-registry';
import { tdWindowsAdminUser } from './td-windows-admin-user';
import { tdWritableRootFs } from './td-writable-root-fs';
import { throttleApiCalls } from './throttle-api-calls';
import { throttleEcsOperation } from './throttle-ecs-operation';
import { ecrMutableTags } from './ecr-mutable-tags';
import { ecrScanOnPushOff } from './ecr-scan-on-push-off';
import { runtimeThreatInTask } from './runtime-threat-in-task';
import { accountEcsRuntimeMonitoringOff } from './account-ecs-runtime-monitoring-off';

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
  tdWindowsAdminUser,
  tdSecurityOptionsWeakened,
  tdNoMemoryLimit,
  tdNetworkModeNotAwsvpc,
  tdNoTaskRole,
  tdExecRoleIsTaskRole,
  tdTaskRoleWildcard,
  tdMissingTags,
  svcPublicIp,
  svcExecEnabled,
  svcFargatePlatformOutdated,
  svcCircuitBreakerOff,
  svcMissingTags,
  tasksetPublicIp,
  taskPublicIp,
  taskExecEnabled,
  taskRoleOverride,
  taskExecSession,
  clusterContainerInsightsDisabled,
  clusterExecLoggingOff,
  clusterMissingTags,
  instancePrivilegedAllowed,
  instanceImdsReachable,
  instanceTaskRoleHostNetwork,
  throttleEcsOperation,
  throttleApiCalls,
  opsDeploymentFailed,
  opsTaskPlacementFailure,
  opsChangeOutsidePipeline,
  opsImagePullFailure,
  opsTaskOom,
  cpTerminationProtectionOff,
  sgWorldOpenAdminPort,
  ecrMutableTags,
  ecrScanOnPushOff,
  runtimeThreatInTask,
  accountEcsRuntimeMonitoringOff,
  imageVulnerableRunning,
];

export const RULES_BY_ID: ReadonlyMap<string, Rule> = new Map(RULES.map((r) => [r.id, r]));

export function getRule(id: string): Rule | undefined {
  return RULES_BY_ID.get(id);
}
