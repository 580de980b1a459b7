/** Launch-type facts of a task definition shared by the td-* rules that only matter off Fargate. */
import type { TaskDefinitionResource } from '../../model/resources';

/**
 * The definition can run on EC2 or EXTERNAL instances: `requiresCompatibilities` contains `EC2` or
 * `EXTERNAL` (any case), or is absent or empty (ECS then validates it for EC2).
 */
export function canRunOnInstances(td: TaskDefinitionResource): boolean {
  const list = td.requiresCompatibilities;
  if (!list || list.length === 0) return true;
  return list.some((c) => {
    const u = c.trim().toUpperCase();
    return u === 'EC2' || u === 'EXTERNAL';
  });
}
