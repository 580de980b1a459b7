/**
 * What an event evaluated WITHOUT enrichment did not check: the facts only an AWS read would give (a
 * running task's task definition and public IP, the account default of a new cluster). Reported so that
 * "no finding" is never mistaken for "compliant" (docs/enrichment.md).
 */
import type { NormalizedEvent } from '../events/normalize';

export const SKIPPED = {
  taskDefinition: 'task definition rules (td-*)',
  publicIp: 'public IP (task-public-ip)',
  accountDefault: 'account default of Container Insights (cluster-container-insights-disabled)',
} as const;

/** The checks skipped on `n` for want of enrichment, in a stable order; empty when none. */
export function skippedWithoutEnrichment(n: NormalizedEvent): string[] {
  // Flags rather than sets: runs on every event, and most skip nothing.
  let taskDefinition = false;
  let publicIp = false;
  let accountDefault = false;
  for (const r of n.resources) {
    // A launch call's task definition is a use-time extra; a task seen running shows none of its own.
    if (r.kind === 'Task' && r.launchCall === undefined && r.lastStatus !== 'STOPPED') {
      if (r.taskDefinitionArn && n.taskDefinitionRefs.includes(r.taskDefinitionArn)) taskDefinition = true;
      if (r.eniIds.length && r.publicIps === undefined) publicIp = true;
    } else if (
      r.kind === 'Cluster' &&
      r.containerInsightsFromAccount &&
      r.accountContainerInsights === undefined
    ) {
      accountDefault = true;
    }
  }
  const skipped: string[] = [];
  if (taskDefinition) skipped.push(SKIPPED.taskDefinition);
  if (publicIp) skipped.push(SKIPPED.publicIp);
  if (accountDefault) skipped.push(SKIPPED.accountDefault);
  return skipped;
}
