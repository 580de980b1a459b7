/** Small helpers shared by the ECS actions. */
import type { Tag } from '@aws-sdk/client-ecs';
import { lastSegment, parseTaskDefinitionRef } from '../model/arn';
import type { ActionTarget } from './types';

export function tagsOf(list: readonly Tag[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) if (t.key) out[t.key] = t.value ?? '';
  return out;
}

/**
 * The cluster of a service or task: the target's `clusterArn`, else the cluster segment of a long-format
 * ARN (`service/<cluster>/<name>`, `task/<cluster>/<id>`), else `default`.
 */
export function clusterOf(target: ActionTarget): string {
  if (target.clusterArn) return target.clusterArn;
  const resource = target.arn.split(':').slice(5).join(':');
  const parts = resource.split('/');
  return parts.length >= 3 && parts[1] ? parts[1] : 'default';
}

/** `family:revision` of a task definition ARN or reference (for comparing ARNs with short forms). */
export function taskDefinitionKey(ref: string): string {
  const { family, revision } = parseTaskDefinitionRef(ref);
  return revision === undefined ? family : `${family}:${revision}`;
}

export function nameOf(arn: string): string {
  return lastSegment(arn);
}

/** Split a list into chunks of at most `size` (Describe* calls take 10 or 100 ids). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Follow `nextToken` until the listing ends (bounded: a runaway token loop stops at `maxPages`). */
export async function allPages<T>(
  page: (nextToken: string | undefined) => Promise<{ items: readonly T[]; nextToken?: string | undefined }>,
  maxPages = 100,
): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const r = await page(token);
    out.push(...r.items);
    token = r.nextToken;
    if (!token) break;
  }
  return out;
}
