/**
 * An Enricher that loads the real one (shared/aws/enricher.ts, with the ECS and EC2 SDKs) on its first
 * call. The engine only calls it for events that lack facts, so events that carry everything never load
 * those SDKs. The loader is given by the function (functions/*.ts): the throttling function never
 * enriches, so its bundle does not contain the enricher at all.
 */
import type { Enricher, ResourceScope } from '../engine/enrich';
import type { ServiceResource, TaskDefinitionResource } from '../model/resources';

export class LazyEnricher implements Enricher {
  private real: Promise<Enricher> | undefined;

  constructor(private readonly load: () => Promise<Enricher>) {}

  private get(): Promise<Enricher> {
    this.real ??= this.load().catch((err: unknown) => {
      this.real = undefined; // try again on the next event
      throw err;
    });
    return this.real;
  }

  async describeTaskDefinition(
    arn: string,
    scope: ResourceScope,
  ): Promise<TaskDefinitionResource | undefined> {
    return (await this.get()).describeTaskDefinition(arn, scope);
  }

  async publicIps(eniIds: readonly string[], scope: ResourceScope): Promise<string[]> {
    return (await this.get()).publicIps(eniIds, scope);
  }

  async describeService(
    arn: string,
    clusterArn: string,
    scope: ResourceScope,
  ): Promise<ServiceResource | undefined> {
    return (await this.get()).describeService(arn, clusterArn, scope);
  }
}
