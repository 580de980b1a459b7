/**
 * The running tasks of one account and region straight from ECS (ListClusters, ListTasks RUNNING,
 * DescribeTasks with tags): what `guardrail running` answers from when no deployment's table is named
 * (docs/running.md). The sweep reads the same tasks as part of the estate (sweep.ts).
 */
import {
  DescribeTasksCommand,
  paginateListClusters,
  paginateListTasks,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { chunks, mapPool } from '../base/pool';
import { runningTaskFromDescribe } from '../events/running';
import type { RunningTask } from '../model/running';

export interface ListRunningOptions {
  readonly ecs: ECSClient;
  /** Clusters read at once (default 4). */
  readonly concurrency?: number;
  readonly now?: () => Date;
}

/** Every RUNNING task of the client's account and region, with the images and digests it runs. */
export async function listRunningTasks(o: ListRunningOptions): Promise<RunningTask[]> {
  const clusters: string[] = [];
  for await (const page of paginateListClusters({ client: o.ecs, pageSize: 100 }, {}))
    clusters.push(...(page.clusterArns ?? []));
  const at = (o.now?.() ?? new Date()).toISOString();
  const perCluster = await mapPool(clusters, o.concurrency ?? 4, async (cluster) => {
    const arns: string[] = [];
    for await (const page of paginateListTasks(
      { client: o.ecs, pageSize: 100 },
      { cluster, desiredStatus: 'RUNNING' },
    ))
      arns.push(...(page.taskArns ?? []));
    const out: RunningTask[] = [];
    for (const batch of chunks(arns, 100)) {
      const r = await o.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch, include: ['TAGS'] }));
      (r.tasks ?? []).forEach((t, i) => {
        const task = runningTaskFromDescribe(t, `tasks[${i}]`, at);
        if (task) out.push(task);
      });
    }
    return out;
  });
  return perCluster.flat();
}
