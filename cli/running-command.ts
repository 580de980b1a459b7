/**
 * `guardrail running --image REPO[:TAG|@DIGEST]`: which running tasks (and services) use an image
 * (docs/running.md). From a deployment's state table (`--table`, the running inventory the functions keep)
 * or, without one, from ECS itself (ListClusters, ListTasks, DescribeTasks with the caller's credentials).
 *
 * Exit codes: 0 listed (also when no task runs the image: the count is on stderr); 2 the table or ECS
 * could not be read (the cause and what to do on stderr: cli/aws-setup.ts); 3 usage error, or no AWS region
 * or credentials.
 */
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { parseImageRef, type ImageRef } from '../shared/model/running';
import { DynamoDbRunningInventory } from '../shared/store/dynamodb-running-inventory';
import { MemoryRunningInventory } from '../shared/store/memory-running-inventory';
import type { RunningImageTask, RunningInventory } from '../shared/store/running-inventory';
import { sweepClientConfig } from '../shared/sweep/clients';
import { listRunningTasks } from '../shared/sweep/running-tasks';
import { awsErrorExitCode, describeAwsError, isAwsError } from './aws-setup';
import type { Io } from './evaluate-command';
import { CliUsageError } from './usage-error';
import { escapeTerminal, terminalSafeJson } from './terminal-text';

export const RUNNING_USAGE = `Usage:
  guardrail running --image REPO[:TAG|@DIGEST] [--table NAME] [--region REGION] [--format table|json]

Lists the running tasks that use an image: the task, its service (or "standalone"), the cluster, the image
and digest, the containers and the team tag.
  --image REF       the repository as ECR names it (team/app), optionally with a registry host
                    (123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app), a tag (:1.4) or a digest
                    (@sha256:...); without tag and digest: every tag and digest of the repository
  --table NAME      answer from the deployment's state table (stack output TableName): the running
                    inventory of every account and region the deployment receives events from
                    (without it: ECS of the caller's account and region, read now)
  --region REGION   the region of the table or of the ECS read (default: AWS_REGION / the profile)
  --format table|json
                    a table (default) or JSON Lines, one task per line
Exit codes: 0 listed (none found included: the count is on stderr), 2 the table or ECS could not be read
(access denied, throttled, no such table: the cause on stderr), 3 usage error, or no AWS region or credentials.
`;

/** Tasks of `inventory` that run `ref` (the repository; its tag or digest when given). */
export async function tasksRunning(inventory: RunningInventory, ref: ImageRef): Promise<RunningImageTask[]> {
  const tasks = ref.digest
    ? await inventory.tasksOf(ref.repository, ref.digest)
    : await inventory.tasksOfRepository(ref.repository);
  return tasks.filter((t) => {
    if (ref.tag && (t.image ? parseImageRef(t.image)?.tag : undefined) !== ref.tag) return false;
    if (ref.registry && t.image && parseImageRef(t.image)?.registry !== ref.registry) return false;
    return true;
  });
}

function table(tasks: readonly RunningImageTask[]): string {
  const rows = tasks.map((t) => [
    t.owner.type === 'AWS::ECS::Service' ? `service ${t.owner.name ?? t.owner.arn}` : 'standalone',
    t.taskArn,
    t.image ?? t.repository,
    t.digest ?? '-',
    t.containers.join(','),
    t.team ?? '-',
    `${t.account}/${t.region}`,
  ]);
  const head = ['OWNER', 'TASK', 'IMAGE', 'DIGEST', 'CONTAINERS', 'TEAM', 'ACCOUNT/REGION'];
  const all = [head, ...rows].map((r) => r.map((c) => escapeTerminal(c)));
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  return (
    all
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

export async function runRunningCommand(argv: readonly string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: {
        image: { type: 'string' },
        table: { type: 'string' },
        region: { type: 'string' },
        format: { type: 'string', default: 'table' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
    if (values.help) {
      io.stdout(RUNNING_USAGE);
      return 0;
    }
    if (!values.image) throw new CliUsageError('--image is required');
    if (values.format !== 'table' && values.format !== 'json')
      throw new CliUsageError('--format must be table or json');
    if (values.table !== undefined && !/^[A-Za-z0-9_.-]{3,255}$/.test(values.table))
      throw new CliUsageError('--table must be a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)');
  } catch (err) {
    io.stderr(`guardrail running: ${escapeTerminal((err as Error).message)}\n\n${RUNNING_USAGE}`);
    return 3;
  }
  const ref = parseImageRef(values.image);
  if (!ref) {
    io.stderr('guardrail running: --image is not an image reference (REPO[:TAG|@DIGEST])\n');
    return 3;
  }
  let tasks: RunningImageTask[];
  try {
    tasks = await tasksRunning(
      values.table ? tableInventory(values.table, values.region) : await ecsInventory(values.region),
      ref,
    );
  } catch (err) {
    const what = values.table ? `table ${values.table}` : 'ECS';
    const cause = isAwsError(err)
      ? describeAwsError(err)
      : `${(err as Error).name}: ${(err as Error).message}`;
    io.stderr(`guardrail running: could not read ${what}: ${escapeTerminal(cause)}\n`);
    return isAwsError(err) ? awsErrorExitCode(err) : 2;
  }
  if (values.format === 'json') for (const t of tasks) io.stdout(`${terminalSafeJson(t)}\n`);
  else if (tasks.length) io.stdout(table(tasks));
  io.stderr(`${tasks.length} running task(s) use ${escapeTerminal(values.image)}\n`);
  return 0;
}

function tableInventory(tableName: string, region: string | undefined): RunningInventory {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(region ? { region } : {}));
  return new DynamoDbRunningInventory({ client, tableName });
}

/** ECS read now, as an in-memory inventory. */
async function ecsInventory(region: string | undefined): Promise<RunningInventory> {
  const ecs = new ECSClient(sweepClientConfig(region ? { region } : {}));
  try {
    const inventory = new MemoryRunningInventory();
    for (const t of await listRunningTasks({ ecs })) await inventory.apply(t);
    return inventory;
  } finally {
    ecs.destroy();
  }
}
