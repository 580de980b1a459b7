/**
 * List and describe one account+region's ECS estate: clusters (with settings and tags), services
 * (DescribeServices in batches of 10, with tags), their task sets, tasks that should be running, container
 * instances, and the task definition revisions that are ACTIVE or used by a service, a task set, a
 * deployment or a running task. Running tasks' ENIs are checked for public IPs (EC2).
 *
 * - Paginators for every List* call; one Limiter caps the calls in flight across the whole sweep.
 * - Task definition revisions come from the cache when known; only new revisions are described.
 * - Nothing throws for an AWS failure: every failed call becomes a gap naming what was missed, and any
 *   gap makes the sweep partial (`complete: false`), which forbids reconciliation.
 */
import {
  paginateDescribeNetworkInterfaces,
  type DescribeNetworkInterfacesCommandOutput,
} from '@aws-sdk/client-ec2';
import { runningTaskFromDescribe } from '../events/running';
import type { RunningTask } from '../model/running';
import {
  DescribeClustersCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type DescribeTaskDefinitionCommandOutput,
  ListTagsForResourceCommand,
  paginateListClusters,
  paginateListContainerInstances,
  paginateListServices,
  paginateListTaskDefinitions,
  paginateListTasks,
} from '@aws-sdk/client-ecs';
import { lastSegment, parseTaskDefinitionRef } from '../model/arn';
import type {
  ClusterResource,
  ContainerInstanceResource,
  GuardDutyDetectorResource,
  Resource,
  SecurityGroupResource,
  SecurityGroupUser,
  ServiceResource,
  TaskDefinitionResource,
  TaskResource,
  TaskRolePolicies,
  TaskSetResource,
} from '../model/resources';
import { classifyError, SweepConfigurationError, SweepDeadlineError } from './errors';
import {
  clusterResource,
  containerInstanceResource,
  serviceResource,
  tagsOf,
  taskDefinitionResource,
  taskResource,
} from '../events/ecs-resources';
import { chunks, Limiter } from '../base/pool';
import { TtlCache } from '../base/ttl-cache';
import { DEFAULT_MUTABLE_TTL_MS } from '../aws/enricher';
import { readRolePolicies } from '../aws/iam-role-policies';
import { readGuardDutyDetector } from '../aws/guardduty-detector';
import { describeSecurityGroups, GROUP_IDS_PER_CALL } from '../aws/security-groups';
import {
  MemoryTaskDefinitionCache,
  type CachedTaskDefinition,
  type TaskDefinitionCache,
} from '../store/td-cache';
import type {
  SweepCounts,
  SweepGap,
  SweepOptions,
  SweepPhase,
  SweepResult,
  TaskDefinitionStats,
} from './types';

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_TAG_MAX_AGE_MS = 24 * 3_600_000;
/** Gaps of one operation and error beyond this many are folded into one entry. */
const GAPS_PER_GROUP = 3;

interface GapSpec {
  readonly operation: string;
  readonly target?: string;
  readonly missed: string;
}

type Outcome<T> = { readonly value: T } | undefined;

class SweepRun {
  private readonly limiter: Limiter;
  private readonly cache: TaskDefinitionCache;
  private readonly abort = new AbortController();
  private readonly now: () => Date;
  private readonly gaps: SweepGap[] = [];
  private readonly warnings: string[] = [];
  private readonly counts: SweepCounts = {
    clusters: 0,
    services: 0,
    taskSets: 0,
    tasks: 0,
    containerInstances: 0,
    taskDefinitions: 0,
  };
  private readonly td: TaskDefinitionStats = { total: 0, fromCache: 0, described: 0, tagsRefreshed: 0 };
  private readonly clusters: ClusterResource[] = [];
  private readonly runningTasks: RunningTask[] = [];
  private readonly services: ServiceResource[] = [];
  private readonly taskSets: TaskSetResource[] = [];
  private readonly tasks: TaskResource[] = [];
  private readonly instances: ContainerInstanceResource[] = [];
  private readonly taskDefinitions = new Map<string, TaskDefinitionResource>();
  private readonly usedTaskDefinitions = new Set<string>();
  private activeTaskDefinitions: Set<string> | undefined;
  private readonly securityGroups: SecurityGroupResource[] = [];
  private detector: GuardDutyDetectorResource | undefined;
  /** Security groups of running tasks' ENIs (DescribeNetworkInterfaces `Groups`), by ENI id. */
  private readonly eniGroups = new Map<string, string[]>();
  private readonly roleCache: TtlCache<TaskRolePolicies>;
  private readonly securityGroupCache: TtlCache<SecurityGroupResource | null>;
  private phase: SweepPhase = 'clusters';
  private done = 0;
  private total = 0;

  constructor(private readonly o: SweepOptions) {
    this.limiter = new Limiter(o.concurrency ?? DEFAULT_CONCURRENCY);
    this.cache = o.cache ?? new MemoryTaskDefinitionCache();
    // Without a cache from the caller, one per sweep: each role and group is read once.
    this.roleCache = o.roleCache ?? new TtlCache({ ttlMs: DEFAULT_MUTABLE_TTL_MS });
    this.securityGroupCache =
      o.securityGroupCache ?? new TtlCache({ ttlMs: DEFAULT_MUTABLE_TTL_MS, maxEntries: 10_000 });
    this.now = o.now ?? (() => new Date());
  }

  private get scope() {
    return { account: this.o.account, region: this.o.region };
  }

  private sendOptions() {
    return {
      abortSignal: this.abort.signal,
      ...(this.o.requestTimeoutMs ? { requestTimeout: this.o.requestTimeoutMs } : {}),
    };
  }

  private checkDeadline(): void {
    if (this.abort.signal.aborted || (this.o.deadline !== undefined && Date.now() >= this.o.deadline))
      throw new SweepDeadlineError();
  }

  /** One AWS call in a limiter slot, after a deadline check. */
  private call<T>(fn: (opts: ReturnType<SweepRun['sendOptions']>) => Promise<T>): Promise<T> {
    return this.limiter.run(async () => {
      this.checkDeadline();
      return fn(this.sendOptions());
    });
  }

  /** Every page of a paginator, each page request in a limiter slot. */
  private async listPages<P>(pages: AsyncIterable<P>, pick: (p: P) => readonly string[] | undefined) {
    const it = pages[Symbol.asyncIterator]();
    const out: string[] = [];
    for (;;) {
      const r = await this.limiter.run(async () => {
        this.checkDeadline();
        return it.next();
      });
      if (r.done) return out;
      out.push(...(pick(r.value) ?? []));
    }
  }

  private gap(spec: GapSpec, err: unknown): void {
    const c = classifyError(err);
    this.gaps.push({
      operation: spec.operation,
      ...(spec.target ? { target: spec.target } : {}),
      kind: c.kind,
      code: c.code,
      message: c.message,
      missed: spec.missed,
    });
  }

  private async attempt<T>(spec: GapSpec, fn: () => Promise<T>): Promise<Outcome<T>> {
    try {
      return { value: await fn() };
    } catch (err) {
      this.gap(spec, err);
      return undefined;
    }
  }

  /** Normalize one described item; a malformed shape is a gap for that item only. */
  private normalizeItem<T>(spec: GapSpec, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (err) {
      this.gap(spec, err);
      return undefined;
    }
  }

  private progress(phase: SweepPhase, done: number, total: number): void {
    this.phase = phase;
    this.done = done;
    this.total = total;
    this.o.onProgress?.({ phase, done, total, counts: { ...this.counts } });
  }

  private tick(): void {
    this.progress(this.phase, this.done + 1, this.total);
  }

  private warn(message: string): void {
    this.warnings.push(message);
    this.o.onWarning?.(message);
  }

  async execute(): Promise<SweepResult> {
    const started = this.now();
    const startMs = Date.now();
    const timer =
      this.o.deadline !== undefined
        ? setTimeout(() => this.abort.abort(), Math.max(0, this.o.deadline - Date.now()))
        : undefined;
    timer?.unref?.();
    try {
      this.progress('clusters', 0, 0);
      const [clusterArns] = await Promise.all([
        this.listClusters(),
        this.listActiveTaskDefinitions(),
        this.readDetector(),
      ]);
      this.progress('clusters', 0, clusterArns.length);
      await Promise.all([
        this.describeClusters(clusterArns),
        ...clusterArns.map(async (arn) => {
          await this.sweepCluster(arn);
          this.tick();
        }),
      ]);
      await Promise.all([this.resolveTaskDefinitions(), this.checkPublicIps()]);
      await Promise.all([this.readTaskRoles(), this.readSecurityGroups()]);
    } finally {
      if (timer) clearTimeout(timer);
    }
    this.progress('done', 1, 1);
    const finished = this.now();
    const resources: Resource[] = [
      ...this.clusters.map(withKnownTags),
      ...this.services.map(withKnownTags),
      ...this.taskSets,
      ...this.tasks,
      ...this.instances,
      ...[...this.taskDefinitions.values()].map(withKnownTags),
      ...this.securityGroups,
      ...(this.detector ? [this.detector] : []),
    ];
    return {
      account: this.o.account,
      region: this.o.region,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: Date.now() - startMs,
      complete: this.gaps.length === 0,
      gaps: foldGaps(this.gaps),
      resources,
      counts: { ...this.counts, taskDefinitions: this.taskDefinitions.size },
      taskDefinitions: { ...this.td, total: this.taskDefinitions.size },
      warnings: this.warnings,
      ...(this.runningTasks.length ? { runningTasks: this.runningTasks } : {}),
    };
  }

  // ------------------------------------------------------------------ GuardDuty

  /** The account's GuardDuty detector; a failure is a warning (outside the ECS estate), never a gap. */
  private async readDetector(): Promise<void> {
    const client = this.o.guardDuty;
    if (!client) return;
    try {
      this.detector = await this.call((opts) => readGuardDutyDetector(client, this.scope, opts));
    } catch (err) {
      if (err instanceof SweepDeadlineError) throw err;
      const c = classifyError(err);
      this.warn(`GuardDuty detector not read (${c.code}): account-ecs-runtime-monitoring-off not evaluated`);
    }
  }

  // ------------------------------------------------------------------ clusters

  private async listClusters(): Promise<string[]> {
    const { ecs } = this.o;
    const r = await this.attempt(
      {
        operation: 'ListClusters',
        missed: 'every cluster, with its services, tasks and container instances',
      },
      () =>
        this.listPages(
          paginateListClusters({ client: ecs, pageSize: 100 }, {}, this.sendOptions()),
          (p) => p.clusterArns,
        ),
    );
    return r?.value ?? [];
  }

  private async describeClusters(arns: readonly string[]): Promise<void> {
    const { ecs } = this.o;
    await Promise.all(
      chunks(arns, 100).map(async (batch) => {
        const spec = {
          operation: 'DescribeClusters',
          target: batch[0],
          missed: `settings of ${batch.length} cluster(s)`,
        };
        const r = await this.attempt(spec, () =>
          this.call((opts) =>
            ecs.send(new DescribeClustersCommand({ clusters: batch, include: ['SETTINGS', 'TAGS'] }), opts),
          ),
        );
        if (!r) return;
        (r.value.clusters ?? []).forEach((c, i) => {
          const cluster = this.normalizeItem(
            { operation: 'DescribeClusters', target: c.clusterArn, missed: `cluster ${c.clusterName ?? i}` },
            () => clusterResource(c, `clusters[${i}]`, this.scope),
          );
          if (cluster) {
            this.clusters.push(cluster);
            this.counts.clusters++;
          }
        });
        this.failures('DescribeClusters', r.value.failures, 'cluster');
      }),
    );
  }

  /** `failures` entries other than MISSING (deleted since it was listed) are gaps. */
  private failures(
    operation: string,
    failures: readonly { arn?: string; reason?: string; detail?: string }[] | undefined,
    what: string,
  ): void {
    for (const f of failures ?? []) {
      if (f.reason === 'MISSING') continue;
      this.gaps.push({
        operation,
        ...(f.arn ? { target: f.arn } : {}),
        kind: 'error',
        code: f.reason ?? 'Failure',
        message: f.detail ?? f.reason ?? 'failure',
        missed: `${what} ${f.arn ? lastSegment(f.arn) : ''}`.trim(),
      });
    }
  }

  private async sweepCluster(clusterArn: string): Promise<void> {
    const name = lastSegment(clusterArn);
    await Promise.all([
      this.sweepServices(clusterArn, name),
      this.sweepTasks(clusterArn, name),
      this.sweepContainerInstances(clusterArn, name),
    ]);
  }

  // ------------------------------------------------------------------ services and task sets

  private async sweepServices(clusterArn: string, name: string): Promise<void> {
    const { ecs } = this.o;
    const listed = await this.attempt(
      { operation: 'ListServices', target: clusterArn, missed: `services of cluster ${name}` },
      () =>
        this.listPages(
          paginateListServices({ client: ecs, pageSize: 100 }, { cluster: clusterArn }, this.sendOptions()),
          (p) => p.serviceArns,
        ),
    );
    if (!listed) return;
    await Promise.all(
      chunks(listed.value, 10).map(async (batch) => {
        const r = await this.attempt(
          {
            operation: 'DescribeServices',
            target: batch[0],
            missed: `${batch.length} service(s) of cluster ${name}`,
          },
          () =>
            this.call((opts) =>
              ecs.send(
                new DescribeServicesCommand({ cluster: clusterArn, services: batch, include: ['TAGS'] }),
                opts,
              ),
            ),
        );
        if (!r) return;
        (r.value.services ?? []).forEach((s, i) => {
          if (s.status === 'INACTIVE') return;
          const d = this.normalizeItem(
            {
              operation: 'DescribeServices',
              target: s.serviceArn,
              missed: `service ${s.serviceName ?? i} of cluster ${name}`,
            },
            () => serviceResource(s, `services[${i}]`, this.scope),
          );
          if (!d) return;
          this.services.push(d.service);
          this.taskSets.push(...d.taskSets);
          this.counts.services++;
          this.counts.taskSets += d.taskSets.length;
          for (const ref of d.taskDefinitionRefs) this.usedTaskDefinitions.add(ref);
        });
        this.failures('DescribeServices', r.value.failures, 'service');
      }),
    );
  }

  // ------------------------------------------------------------------ tasks

  private async sweepTasks(clusterArn: string, name: string): Promise<void> {
    const { ecs } = this.o;
    const listed = await this.attempt(
      { operation: 'ListTasks', target: clusterArn, missed: `running tasks of cluster ${name}` },
      () =>
        this.listPages(
          paginateListTasks(
            { client: ecs, pageSize: 100 },
            { cluster: clusterArn, desiredStatus: 'RUNNING' },
            this.sendOptions(),
          ),
          (p) => p.taskArns,
        ),
    );
    if (!listed) return;
    await Promise.all(
      chunks(listed.value, 100).map(async (batch) => {
        const r = await this.attempt(
          {
            operation: 'DescribeTasks',
            target: batch[0],
            missed: `${batch.length} running task(s) of cluster ${name}`,
          },
          () =>
            this.call((opts) =>
              ecs.send(
                new DescribeTasksCommand({ cluster: clusterArn, tasks: batch, include: ['TAGS'] }),
                opts,
              ),
            ),
        );
        if (!r) return;
        (r.value.tasks ?? []).forEach((t, i) => {
          if (t.lastStatus === 'STOPPED') return;
          const task = this.normalizeItem(
            {
              operation: 'DescribeTasks',
              target: t.taskArn,
              missed: `task ${lastSegment(t.taskArn ?? `${i}`)}`,
            },
            () => taskResource(t, `tasks[${i}]`, this.scope),
          );
          if (!task) return;
          // The running inventory (docs/running.md): which task runs which image digest.
          const running = this.normalizeItem(
            {
              operation: 'DescribeTasks',
              target: t.taskArn,
              missed: `containers of task ${lastSegment(t.taskArn ?? `${i}`)}`,
            },
            () => runningTaskFromDescribe(t, `tasks[${i}]`, this.now().toISOString()),
          );
          if (running) this.runningTasks.push(running);
          this.tasks.push(task);
          this.counts.tasks++;
          if (task.taskDefinitionArn) this.usedTaskDefinitions.add(task.taskDefinitionArn);
        });
        this.failures('DescribeTasks', r.value.failures, 'task');
      }),
    );
  }

  // ------------------------------------------------------------------ container instances

  private async sweepContainerInstances(clusterArn: string, name: string): Promise<void> {
    const { ecs } = this.o;
    const listed = await this.attempt(
      {
        operation: 'ListContainerInstances',
        target: clusterArn,
        missed: `container instances of cluster ${name}`,
      },
      () =>
        this.listPages(
          paginateListContainerInstances(
            { client: ecs, pageSize: 100 },
            { cluster: clusterArn },
            this.sendOptions(),
          ),
          (p) => p.containerInstanceArns,
        ),
    );
    if (!listed) return;
    await Promise.all(
      chunks(listed.value, 100).map(async (batch) => {
        const r = await this.attempt(
          {
            operation: 'DescribeContainerInstances',
            target: batch[0],
            missed: `${batch.length} container instance(s) of cluster ${name}`,
          },
          () =>
            this.call((opts) =>
              ecs.send(
                new DescribeContainerInstancesCommand({
                  cluster: clusterArn,
                  containerInstances: batch,
                  include: ['TAGS'],
                }),
                opts,
              ),
            ),
        );
        if (!r) return;
        (r.value.containerInstances ?? []).forEach((ci, i) => {
          const instance = this.normalizeItem(
            {
              operation: 'DescribeContainerInstances',
              target: ci.containerInstanceArn,
              missed: `container instance ${ci.ec2InstanceId ?? i} of cluster ${name}`,
            },
            () => containerInstanceResource(ci, `containerInstances[${i}]`, this.scope, clusterArn),
          );
          if (!instance) return;
          this.instances.push(instance);
          this.counts.containerInstances++;
        });
        this.failures('DescribeContainerInstances', r.value.failures, 'container instance');
      }),
    );
  }

  // ------------------------------------------------------------------ task definitions

  private async listActiveTaskDefinitions(): Promise<void> {
    const { ecs } = this.o;
    const r = await this.attempt(
      { operation: 'ListTaskDefinitions', missed: 'ACTIVE task definitions not used by a service or task' },
      () =>
        this.listPages(
          paginateListTaskDefinitions(
            { client: ecs, pageSize: 100 },
            { status: 'ACTIVE' },
            this.sendOptions(),
          ),
          (p) => p.taskDefinitionArns,
        ),
    );
    if (r) this.activeTaskDefinitions = new Set(r.value);
  }

  private statusOf(arn: string, known: string | undefined): string | undefined {
    const active = this.activeTaskDefinitions;
    if (!active) return known; // the listing failed: keep what describe said
    if (active.has(arn)) return 'ACTIVE';
    return known === 'ACTIVE' || known === undefined ? 'INACTIVE' : known;
  }

  private addTaskDefinition(def: TaskDefinitionResource): void {
    const status = this.statusOf(def.arn, def.status);
    this.taskDefinitions.set(def.arn, status ? { ...def, status } : def);
    this.counts.taskDefinitions = this.taskDefinitions.size;
  }

  private async resolveTaskDefinitions(): Promise<void> {
    const { ecs } = this.o;
    const wanted = [...new Set([...(this.activeTaskDefinitions ?? []), ...this.usedTaskDefinitions])];
    this.progress('task-definitions', 0, wanted.length);
    let cached = new Map<string, CachedTaskDefinition>();
    try {
      cached = await this.cache.getMany(wanted);
    } catch (err) {
      const c = classifyError(err);
      this.warn(
        `task definition cache could not be read (${c.code}: ${c.message}); describing every revision`,
      );
    }
    const nowIso = this.now().toISOString();
    const tagMaxAge = this.o.tagMaxAgeMs ?? DEFAULT_TAG_MAX_AGE_MS;
    const toPut: CachedTaskDefinition[] = [];

    await Promise.all(
      wanted.map(async (arn) => {
        const label = lastSegment(arn);
        const hit = cached.get(arn);
        if (hit) {
          this.td.fromCache++;
          let entry = hit;
          const age = Date.now() - Date.parse(hit.tagsCheckedAt);
          if (!(age <= tagMaxAge)) {
            const r = await this.attempt(
              {
                operation: 'ListTagsForResource',
                target: arn,
                missed: `current tags (exemptions) of task definition ${label}`,
              },
              () => this.call((opts) => ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }), opts)),
            );
            if (r) {
              entry = {
                ...hit,
                definition: { ...hit.definition, tags: tagsOf(r.value.tags) ?? {} },
                tagsCheckedAt: nowIso,
              };
              toPut.push(entry);
              this.td.tagsRefreshed++;
            }
          }
          this.addTaskDefinition(entry.definition);
          this.tick();
          return;
        }
        const spec = { operation: 'DescribeTaskDefinition', target: arn, missed: `task definition ${label}` };
        let out: DescribeTaskDefinitionCommandOutput;
        try {
          out = await this.call((opts) =>
            ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] }), opts),
          );
        } catch (err) {
          const c = classifyError(err);
          if (c.code === 'ClientException' && /unable to describe task definition/i.test(c.message)) {
            // The revision no longer exists (deleted): nothing to evaluate, nothing missed.
            this.warn(`task definition ${label} is referenced but no longer exists`);
          } else {
            this.gap(spec, err);
          }
          this.tick();
          return;
        }
        this.td.described++;
        const def = this.normalizeItem(spec, () =>
          taskDefinitionResource(out.taskDefinition, out.tags, 'taskDefinition', this.scope),
        );
        if (def) {
          // Cache only exact revisions (a family-only reference resolves differently over time).
          if (parseTaskDefinitionRef(arn).revision !== undefined || def.arn !== arn)
            toPut.push({ arn: def.arn, definition: def, describedAt: nowIso, tagsCheckedAt: nowIso });
          this.addTaskDefinition(def);
        }
        this.tick();
      }),
    );
    if (toPut.length) {
      try {
        await this.cache.putMany(toPut);
      } catch (err) {
        const c = classifyError(err);
        this.warn(`task definition cache could not be written (${c.code}: ${c.message})`);
      }
    }
  }

  // ------------------------------------------------------------------ public IPs of running tasks

  private async checkPublicIps(): Promise<void> {
    const { ec2 } = this.o;
    const withEni = this.tasks.filter((t) => t.eniIds.length > 0);
    const eniIds = [...new Set(withEni.flatMap((t) => t.eniIds))];
    if (!eniIds.length) return;
    const ips = new Map<string, string[]>();
    const unchecked = new Set<string>();
    await Promise.all(
      chunks(eniIds, 100).map(async (batch) => {
        const r = await this.attempt(
          {
            operation: 'DescribeNetworkInterfaces',
            target: batch[0],
            missed: `public IP check of ${batch.length} task network interface(s)`,
          },
          async () => {
            const it = paginateDescribeNetworkInterfaces(
              { client: ec2, pageSize: 100 },
              // A filter (not NetworkInterfaceIds): an ENI deleted since the task was listed is just absent.
              { Filters: [{ Name: 'network-interface-id', Values: batch }] },
              this.sendOptions(),
            )[Symbol.asyncIterator]();
            for (;;) {
              const page: IteratorResult<DescribeNetworkInterfacesCommandOutput> = await this.limiter.run(
                async () => {
                  this.checkDeadline();
                  return it.next();
                },
              );
              if (page.done) return;
              for (const eni of page.value.NetworkInterfaces ?? []) {
                const ip = eni.Association?.PublicIp;
                if (eni.NetworkInterfaceId && ip) ips.set(eni.NetworkInterfaceId, [ip]);
                this.noteEniGroups(eni.NetworkInterfaceId, eni.Groups);
              }
            }
          },
        );
        if (!r) for (const id of batch) unchecked.add(id);
      }),
    );
    for (let i = 0; i < this.tasks.length; i++) {
      const t = this.tasks[i]!;
      if (!t.eniIds.length || t.eniIds.some((id) => unchecked.has(id))) continue;
      this.tasks[i] = { ...t, publicIps: t.eniIds.flatMap((id) => ips.get(id) ?? []) };
    }
  }
  // ------------------------------------------------------------------ enrichment rules (v2)
  // td-task-role-wildcard and sg-world-open-admin-port read IAM and EC2 as the event path does
  // (shared/aws readers, time-bounded caches); a failed read is a gap like any other.

  private noteEniGroups(
    eniId: string | undefined,
    groups: readonly { GroupId?: string }[] | undefined,
  ): void {
    if (!eniId || !groups) return;
    this.eniGroups.set(
      eniId,
      groups.flatMap((g) => (g.GroupId ? [g.GroupId] : [])),
    );
  }

  /** The policies of every task role the swept task definitions name (once per role). */
  private async readTaskRoles(): Promise<void> {
    const roles = new Set<string>();
    for (const td of this.taskDefinitions.values()) if (td.taskRoleArn) roles.add(td.taskRoleArn);
    if (!roles.size) return;
    const read = new Map<string, TaskRolePolicies>();
    await Promise.all(
      [...roles].map(async (roleArn) => {
        const spec = {
          operation: 'ListRolePolicies',
          target: roleArn,
          missed: `policies of task role ${lastSegment(roleArn)}`,
        };
        const { iam } = this.o;
        const r = await this.attempt(spec, () =>
          this.roleCache.get(roleArn, () =>
            this.call(async () => {
              if (!iam) throw new SweepConfigurationError('no IAM client: task roles cannot be read');
              return readRolePolicies(iam, roleArn);
            }),
          ),
        );
        if (!r) return;
        // A role that does not exist has no policy to flag: no verdict, not a sweep problem.
        read.set(roleArn, r.value);
      }),
    );
    for (const [arn, td] of this.taskDefinitions) {
      const taskRole = td.taskRoleArn ? read.get(td.taskRoleArn) : undefined;
      if (taskRole) this.taskDefinitions.set(arn, { ...td, taskRole });
    }
  }

  /** The security groups services, task sets and running tasks name, each with the workloads using it. */
  private async readSecurityGroups(): Promise<void> {
    const users = new Map<string, SecurityGroupUser[]>();
    const use = (ids: readonly string[] | undefined, user: SecurityGroupUser) => {
      for (const id of new Set(ids ?? [])) users.set(id, [...(users.get(id) ?? []), user]);
    };
    for (const w of [...this.services, ...this.taskSets])
      use(w.network?.securityGroups, { arn: w.arn, publicIp: w.network?.assignPublicIp === 'ENABLED' });
    for (const t of this.tasks)
      use([...(t.network?.securityGroups ?? []), ...t.eniIds.flatMap((id) => this.eniGroups.get(id) ?? [])], {
        arn: t.arn,
        publicIp: (t.publicIps?.length ?? 0) > 0 || t.network?.assignPublicIp === 'ENABLED',
      });
    if (!users.size) return;
    const prefix = `${this.o.account}/${this.o.region}/`;
    await Promise.all(
      chunks([...users.keys()], GROUP_IDS_PER_CALL).map(async (batch) => {
        const r = await this.attempt(
          {
            operation: 'DescribeSecurityGroups',
            target: batch[0],
            missed: `${batch.length} security group(s) of services and tasks`,
          },
          () =>
            this.securityGroupCache.getMany(
              batch.map((id) => prefix + id),
              (missing) =>
                this.call(async () => {
                  const found = await describeSecurityGroups(
                    this.o.ec2,
                    missing.map((k) => k.slice(prefix.length)),
                    this.scope,
                  );
                  return new Map([...found].map(([id, g]) => [prefix + id, g]));
                }),
              null,
            ),
        );
        for (const g of r?.value.values() ?? [])
          if (g) this.securityGroups.push({ ...g, usedBy: users.get(g.groupId) ?? [] });
      }),
    );
  }
}

/** The sweep asked every describe for its tags (include TAGS): none in the answer means none. */
function withKnownTags<R extends { readonly tags?: Readonly<Record<string, string>> }>(r: R): R {
  return r.tags ? r : { ...r, tags: {} };
}

/** Keep the first few gaps of each (operation, kind, code); fold the rest into one counted entry. */
export function foldGaps(gaps: readonly SweepGap[]): SweepGap[] {
  const groups = new Map<string, SweepGap[]>();
  for (const g of gaps) {
    const k = `${g.operation}\n${g.kind}\n${g.code}`;
    const list = groups.get(k) ?? [];
    list.push(g);
    groups.set(k, list);
  }
  const out: SweepGap[] = [];
  for (const list of groups.values()) {
    out.push(...list.slice(0, GAPS_PER_GROUP));
    const rest = list.length - GAPS_PER_GROUP;
    if (rest > 0) {
      const first = list[GAPS_PER_GROUP]!;
      out.push({ ...first, target: undefined, missed: `${rest} more like this (${first.missed}, ...)` });
    }
  }
  return out.map((g) => (g.target === undefined ? dropTarget(g) : g));
}

function dropTarget(g: SweepGap): SweepGap {
  const { target: _t, ...rest } = g;
  return rest;
}

export function sweepEstate(options: SweepOptions): Promise<SweepResult> {
  return new SweepRun(options).execute();
}
