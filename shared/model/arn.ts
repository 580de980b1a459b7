/** ARN construction when an event does not carry the ARN itself (docs/events.md, "How events map to resources"). */

const isArn = (s: string): boolean => s.startsWith('arn:');

/** Last path segment of an ARN or the string itself (`arn:...:cluster/prod` -> `prod`). */
export function lastSegment(nameOrArn: string): string {
  const i = nameOrArn.lastIndexOf('/');
  return i === -1 ? nameOrArn : nameOrArn.slice(i + 1);
}

/** `arn:aws:ecs:r:a:service/<cluster>/<name>` -> cluster name, when the ARN carries one. */
export function clusterNameOfServiceArn(arn: string): string | undefined {
  const parts = arn.split(':').slice(5).join(':').split('/');
  return parts.length >= 3 ? parts[1] : undefined;
}

export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

export function clusterArn(region: string, account: string, cluster: string | null | undefined): string {
  const c = cluster || 'default';
  if (isArn(c)) return c;
  return `arn:${partitionOf(region)}:ecs:${region}:${account}:cluster/${c}`;
}

export function serviceArn(
  region: string,
  account: string,
  cluster: string | null | undefined,
  service: string,
): string {
  if (isArn(service)) return service;
  const c = lastSegment(cluster || 'default');
  return `arn:${partitionOf(region)}:ecs:${region}:${account}:service/${c}/${service}`;
}

/** `family`, `family:rev` or a full ARN -> ARN. */
export function taskDefinitionArn(region: string, account: string, ref: string): string {
  if (isArn(ref)) return ref;
  return `arn:${partitionOf(region)}:ecs:${region}:${account}:task-definition/${ref}`;
}

/** `...:task-definition/web:7` -> { family: 'web', revision: 7 }. */
export function parseTaskDefinitionRef(ref: string): { family: string; revision?: number } {
  const tail = lastSegment(isArn(ref) ? ref : ref);
  const [family = tail, rev] = tail.split(':');
  const revision = rev !== undefined && /^\d+$/.test(rev) ? Number(rev) : undefined;
  return revision === undefined ? { family } : { family, revision };
}

/** A task id or ARN -> ARN (`task/<cluster>/<id>`, the long ARN format). */
export function taskArn(
  region: string,
  account: string,
  cluster: string | null | undefined,
  task: string,
): string {
  if (isArn(task)) return task;
  const c = lastSegment(cluster || 'default');
  return `arn:${partitionOf(region)}:ecs:${region}:${account}:task/${c}/${task}`;
}

/** A capacity provider name or ARN -> ARN. */
export function capacityProviderArn(region: string, account: string, nameOrArn: string): string {
  if (isArn(nameOrArn)) return nameOrArn;
  return `arn:${partitionOf(region)}:ecs:${region}:${account}:capacity-provider/${nameOrArn}`;
}

/** A task set id or ARN of a service -> ARN (`task-set/<cluster>/<service>/<id>`). */
export function taskSetArn(serviceArnOfSet: string, taskSet: string): string {
  if (isArn(taskSet)) return taskSet;
  return `${serviceArnOfSet.replace(':service/', ':task-set/')}/${taskSet}`;
}
