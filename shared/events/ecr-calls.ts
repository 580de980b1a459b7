/**
 * Amazon ECR CloudTrail calls -> the repository or the registry scanning configuration they set
 * (ecr-mutable-tags, ecr-scan-on-push-off; docs/events.md "Amazon ECR calls"). Pure.
 *
 * - CreateRepository: the response's `repository` when present, else the request. A setting neither
 *   shows takes ECR's create default (MUTABLE, scanOnPush false), as a create call sets every setting.
 * - PutImageTagMutability / PutImageScanningConfiguration: the setting the call writes (response, else
 *   request); the repository's other setting is not shown (unknown, never flagged).
 * - PutRegistryScanningConfiguration: the registry's scan type and rules (the call replaces them all).
 * The repository is always in the event's own account and region (`registryId` names the account; a
 * call that names another registry, or a name ECR refuses, is not checked).
 */
import type { RegistryScanningResource, RepositoryResource } from '../model/resources';
import { partitionOf } from '../model/arn';
import type { CloudTrailDetail } from './schemas';
import { RegistryScanningShape, RepositoryShape } from './schemas';
import { compact } from './ecs-resources';
import { InvalidEventError } from './errors';
import { validate } from './validate';

export const ECR_SOURCE = 'ecr.amazonaws.com';

/** The ECR calls the guardrail reads (the event pattern routes exactly these). */
export const ECR_CALLS: ReadonlySet<string> = new Set([
  'CreateRepository',
  'PutImageTagMutability',
  'PutImageScanningConfiguration',
  'PutRegistryScanningConfiguration',
]);

/** ECR's repository name rule (CreateRepository `repositoryName`), 2 to 256 characters. */
const REPOSITORY_NAME = /^(?=.{2,256}$)(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export interface EcrOutcome {
  readonly resource?: RepositoryResource | RegistryScanningResource;
  /** Why the call was not checked (a name ECR refuses, another account's registry). */
  readonly incomplete?: string;
}

const REQ = 'detail.requestParameters';
const RESP = 'detail.responseElements';

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An object, or absent (null, missing, or the string a truncated record holds); else a bad event. */
function shapeAt(x: unknown, path: string): Record<string, unknown> | undefined {
  if (x === undefined || x === null || typeof x === 'string') return undefined;
  if (isObject(x)) return x;
  throw new InvalidEventError(`expected Object, got ${Array.isArray(x) ? 'array' : typeof x}`, path);
}

export function repositoryArn(region: string, account: string, name: string): string {
  return `arn:${partitionOf(region)}:ecr:${region}:${account}:repository/${name}`;
}

/** The registry's scanning configuration as a resource: `arn:<p>:ecr:<region>:<account>:registry-scanning-configuration`. */
export function registryScanningArn(region: string, account: string): string {
  return `arn:${partitionOf(region)}:ecr:${region}:${account}:registry-scanning-configuration`;
}

export function normalizeEcrCall(d: CloudTrailDetail, region: string, account: string): EcrOutcome {
  if (!ECR_CALLS.has(d.eventName)) return {};
  const request = shapeAt(d.requestParameters, REQ);
  const response = shapeAt(d.responseElements, RESP);
  if (d.eventName === 'PutRegistryScanningConfiguration') {
    const answer = response ? shapeAt(response.registryScanningConfiguration, `${RESP}.registryScanningConfiguration`) : undefined;
    const shape = answer
      ? { s: answer, p: `${RESP}.registryScanningConfiguration` }
      : request
        ? { s: request, p: REQ }
        : undefined;
    if (!shape) return { incomplete: 'PutRegistryScanningConfiguration without parameters: configuration unknown (not checked)' };
    const cfg = validate(RegistryScanningShape, shape.s, shape.p);
    return {
      resource: compact<RegistryScanningResource>({
        kind: 'RegistryScanning',
        arn: registryScanningArn(region, account),
        account,
        region,
        // The request's scanType is optional (BASIC by default).
        scanType: cfg.scanType ?? 'BASIC',
        rules: (cfg.rules ?? []).map((r) => ({
          scanFrequency: r.scanFrequency,
          filters: (r.repositoryFilters ?? []).map((f) => f.filter),
        })),
      }),
    };
  }
  const answer = response ? shapeAt(response.repository, `${RESP}.repository`) : undefined;
  // CreateRepository answers with `repository`; the Put* calls answer with the fields at the top level.
  const fromResponse = answer ?? (d.eventName !== 'CreateRepository' ? response : undefined);
  const parsedResponse = fromResponse
    ? validate(RepositoryShape, fromResponse, answer ? `${RESP}.repository` : RESP)
    : undefined;
  const parsedRequest = request ? validate(RepositoryShape, request, REQ) : undefined;
  const name = parsedResponse?.repositoryName ?? parsedRequest?.repositoryName;
  if (!name) return { incomplete: `${d.eventName} without a repository name: repository unknown (not checked)` };
  if (!REPOSITORY_NAME.test(name))
    return { incomplete: `${d.eventName}: the repository name is not one ECR accepts (not checked)` };
  const registry = parsedResponse?.registryId ?? parsedRequest?.registryId;
  if (registry && registry !== account)
    return { incomplete: `${d.eventName}: registryId names another account than the event (not checked)` };
  const create = d.eventName === 'CreateRepository';
  const pick = <T>(f: (s: RepositoryShape) => T | null | undefined): T | undefined =>
    (parsedResponse ? f(parsedResponse) : undefined) ?? (parsedRequest ? f(parsedRequest) : undefined) ?? undefined;
  let imageTagMutability = pick((s) => s.imageTagMutability);
  let scanOnPush = pick((s) => s.imageScanningConfiguration?.scanOnPush);
  if (create) {
    imageTagMutability ??= 'MUTABLE';
    scanOnPush ??= false;
  }
  const tags = create ? ecrTags(parsedRequest?.tags ?? parsedResponse?.tags) : undefined;
  return {
    resource: compact<RepositoryResource>({
      kind: 'Repository',
      // Built from the event's account and region, never taken from the record's text.
      arn: repositoryArn(region, account, name),
      account,
      region,
      name,
      imageTagMutability: d.eventName === 'PutImageScanningConfiguration' ? undefined : imageTagMutability,
      scanOnPush: d.eventName === 'PutImageTagMutability' ? undefined : scanOnPush,
      tags,
    }),
  };
}

/** CreateRepository's tags (`{Key, Value}`): none given means the repository has no tag. */
function ecrTags(list: RepositoryShape['tags']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of list ?? []) out[t.Key] = t.Value ?? '';
  return out;
}
