/**
 * Terraform plan JSON (`terraform show -json plan.out`, format_version 1.x): the ECS resources of the
 * plan as they will be after apply, with the file, Terraform address and line of each property.
 *
 * Read from `resource_changes[].change.after` (with `after_unknown`: a value known only after apply is
 * unknown, never flagged, and reported as not checked), else from `planned_values` (the modules' tree,
 * e.g. `terraform show -json` of a saved plan without changes). Deleted resources and data sources are
 * not checked. Account and region are `''`: a plan does not say them per resource.
 */
import { createHash } from 'node:crypto';
import { InvalidEventError } from '../../events/errors';
import {
  capacityProviderFromShape,
  clusterFromShape,
  serviceFromShape,
  taskDefinitionFromShape,
} from '../../events/ecs-resources';
import type { NormalizedEvent } from '../../events/normalize';
import { CapacityProviderShape, ClusterShape, ServiceShape, TaskDefinitionShape } from '../../events/schemas';
import { validate } from '../../events/validate';
import type { Resource, ResourceOrigin } from '../../model/resources';
import { IacInputError } from '../errors';
import type { IacDocument, IacReader, UnknownValue } from '../types';
import { ECS_MAPPINGS, isObject, keyValueTags, type EcsMapping } from './ecs-resources';
import { LineIndex, type JsonPath } from './positions';

/** One resource of the plan: where its values are and which of them are unknown until apply. */
interface PlannedResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
  readonly afterUnknown: unknown;
  /** The path of `values` in the document (for lines). */
  readonly at: JsonPath;
}

function* fromResourceChanges(changes: unknown[]): Generator<PlannedResource> {
  for (let i = 0; i < changes.length; i++) {
    const rc = changes[i];
    if (!isObject(rc) || rc.mode !== 'managed' || typeof rc.type !== 'string' || !isObject(rc.change))
      continue;
    const after = rc.change.after;
    if (!isObject(after)) continue; // deleted (after: null): nothing to check
    yield {
      address: typeof rc.address === 'string' ? rc.address : `resource_changes[${i}]`,
      type: rc.type,
      values: after,
      afterUnknown: rc.change.after_unknown,
      at: ['resource_changes', i, 'change', 'after'],
    };
  }
}

function* fromModule(module: unknown, at: JsonPath): Generator<PlannedResource> {
  if (!isObject(module)) return;
  const resources = Array.isArray(module.resources) ? module.resources : [];
  for (let i = 0; i < resources.length; i++) {
    const r = resources[i];
    if (!isObject(r) || r.mode !== 'managed' || typeof r.type !== 'string' || !isObject(r.values)) continue;
    yield {
      address: typeof r.address === 'string' ? r.address : `${r.type}.${String(r.name)}`,
      type: r.type,
      values: r.values,
      afterUnknown: undefined,
      at: [...at, 'resources', i, 'values'],
    };
  }
  const children = Array.isArray(module.child_modules) ? module.child_modules : [];
  for (let i = 0; i < children.length; i++) yield* fromModule(children[i], [...at, 'child_modules', i]);
}

/** Is the value at `tf` unknown until apply (`after_unknown` is `true` there or at an enclosing block)? */
function unknownAt(afterUnknown: unknown, tf: JsonPath): boolean {
  let x = afterUnknown;
  for (const step of tf) {
    if (x === true) return true;
    if (Array.isArray(x) && typeof step === 'number') x = x[step];
    else if (isObject(x) && typeof step === 'string') x = x[step];
    else return false;
  }
  return x === true;
}

const pathText = (tf: JsonPath): string =>
  tf.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

function jsonLineOf(err: unknown, text: string): number | undefined {
  const at = / at position (\d+)/.exec(err instanceof Error ? err.message : '');
  return at ? text.slice(0, Number(at[1])).split('\n').length : undefined;
}

function parsePlan(text: string, file: string): Record<string, unknown> {
  let plan: unknown;
  try {
    plan = JSON.parse(text);
  } catch (err) {
    throw new IacInputError(file, 'not valid JSON', jsonLineOf(err, text));
  }
  if (!isObject(plan)) throw new IacInputError(file, 'expected a JSON object (terraform show -json output)');
  return plan;
}

/** The planned resource as the API shape its normalizer reads, or an error naming address and path. */
function shapeOf(
  p: PlannedResource,
  mapping: EcsMapping,
  file: string,
  lineOf: (tf: JsonPath) => number | undefined,
): Record<string, unknown> | undefined {
  const isUnknown = (tf: JsonPath): boolean => unknownAt(p.afterUnknown, tf);
  const shape = mapping.shape(p.values, isUnknown);
  const tagsKey = isObject(p.values.tags_all) && !isUnknown(['tags_all']) ? 'tags_all' : 'tags';
  if (!isUnknown([tagsKey])) shape.tags = keyValueTags(p.values[tagsKey] ?? {});
  if (mapping.kind !== 'TaskDefinition') return shape;
  if (isUnknown(['container_definitions'])) return undefined; // the containers are unknown: nothing to check
  const raw = p.values.container_definitions;
  let containers: unknown;
  try {
    containers = typeof raw === 'string' ? JSON.parse(raw) : raw;
  } catch {
    throw new IacInputError(
      file,
      `${p.address}: container_definitions: not valid JSON`,
      lineOf(['container_definitions']),
    );
  }
  if (!Array.isArray(containers))
    throw new IacInputError(
      file,
      `${p.address}: container_definitions: expected a JSON array of container definitions`,
      lineOf(['container_definitions']),
    );
  return { ...shape, containerDefinitions: containers };
}

function resourceOf(
  p: PlannedResource,
  mapping: EcsMapping,
  file: string,
  index: LineIndex,
  unknown: UnknownValue[],
): Resource | undefined {
  const lineOf = (tf: JsonPath): number | undefined => index.lineAt([...p.at, ...tf]);
  // An unknown value is often absent from `after`: the line of the closest enclosing block that is there.
  const lineNear = (tf: JsonPath): number | undefined => {
    for (let k = tf.length; k >= 0; k--) {
      const line = lineOf(tf.slice(0, k));
      if (line !== undefined) return line;
    }
    return undefined;
  };
  const seen = new Set<string>();
  const lines: Record<string, number> = {};
  for (const attr of mapping.attributes) {
    const line = lineOf(attr.tf);
    if (line !== undefined) lines[attr.api] = line;
    const key = pathText(attr.tf);
    if (seen.has(key) || !unknownAt(p.afterUnknown, attr.tf)) continue;
    seen.add(key);
    unknown.push({
      address: p.address,
      path: key,
      ...optionalLine(lineNear(attr.tf)),
      reason: 'known only after apply',
    });
  }
  const origin: ResourceOrigin = { file, address: p.address, ...optionalLine(index.lineAt(p.at)), lines };
  const shape = shapeOf(p, mapping, file, lineOf);
  if (!shape) return undefined;
  // Tags the plan shows (none is none); unknown until apply: left unknown.
  const knownTags = shape.tags !== undefined ? {} : undefined;
  let resource: Resource | undefined;
  try {
    if (mapping.kind === 'TaskDefinition')
      resource = taskDefinitionFromShape(validate(TaskDefinitionShape, shape, ''), '', '', knownTags);
    else if (mapping.kind === 'Service') {
      // The plan shows the service's whole configuration: no breaker block is no breaker, unless unknown.
      const source = unknownAt(p.afterUnknown, ['deployment_circuit_breaker'])
        ? 'update-request'
        : 'create-request';
      resource = serviceFromShape(validate(ServiceShape, shape, ''), '', '', source);
    } else if (mapping.kind === 'CapacityProvider') {
      const shapeCp = validate(CapacityProviderShape, shape, '');
      // Unknown until apply: not the create default (DISABLED), unknown as on an update.
      const unknownMtp = unknownAt(p.afterUnknown, [
        'auto_scaling_group_provider',
        0,
        'managed_termination_protection',
      ]);
      resource = capacityProviderFromShape(shapeCp, '', '', { omittedIsDefault: !unknownMtp });
    } else {
      const cluster = clusterFromShape(validate(ClusterShape, shape, ''), '', '');
      // No containerInsights setting: the account's default applies, as for CreateCluster.
      resource =
        cluster && shape.settings !== undefined && cluster.settings?.containerInsights === undefined
          ? { ...cluster, containerInsightsFromAccount: true }
          : cluster;
    }
  } catch (err) {
    if (!(err instanceof InvalidEventError)) throw err;
    const attr = mapping.attributes.find((a) => err.path?.startsWith(a.api));
    throw new IacInputError(
      file,
      `${p.address}: invalid: ${err.message}`,
      attr ? (lineOf(attr.tf) ?? origin.line) : origin.line,
    );
  }
  if (!resource) return undefined;
  return { ...resource, arn: `${file}#${p.address}`, origin };
}

const optionalLine = (line: number | undefined): { line?: number } => (line !== undefined ? { line } : {});

/**
 * The lines a finding or an unknown value can name: each planned resource and its attributes a few
 * levels down (`network_configuration[0].assign_public_ip`), not `before` or the rest of the plan.
 */
function linesWanted(path: JsonPath): boolean {
  if (path[0] === 'resource_changes')
    return (
      path.length <= 4 + 4 &&
      (path.length < 3 || path[2] === 'change') &&
      (path.length < 4 || path[3] === 'after')
    );
  if (path[0] !== 'planned_values') return false;
  const values = path.lastIndexOf('values');
  return values === -1 ? path.length <= 64 : path.length - values <= 5;
}

export function readTerraformPlan(text: string, file: string): IacDocument {
  const plan = parsePlan(text, file);
  const planned = Array.isArray(plan.resource_changes)
    ? fromResourceChanges(plan.resource_changes)
    : isObject(plan.planned_values)
      ? fromModule(plan.planned_values.root_module, ['planned_values', 'root_module'])
      : undefined;
  if (!planned)
    throw new IacInputError(
      file,
      'no resource_changes or planned_values: is this `terraform show -json` of a plan?',
    );
  const index = LineIndex.of(text, linesWanted);
  const resources: Resource[] = [];
  const unknown: UnknownValue[] = [];
  for (const p of planned) {
    const mapping = ECS_MAPPINGS[p.type];
    if (!mapping) continue;
    const r = resourceOf(p, mapping, file, index, unknown);
    if (r) resources.push(r);
  }
  const normalized: NormalizedEvent = {
    event: {
      id: `terraform-plan:sha256:${createHash('sha256').update(text).digest('hex')}`,
      source: 'guardrail.iac',
      detailType: 'Terraform plan',
      time: '',
    },
    account: '',
    region: '',
    resources,
    signals: [],
    taskDefinitionRefs: [],
  };
  return { form: 'terraform-plan', file, normalized, unknown };
}

export const TERRAFORM_PLAN_READER: IacReader = {
  form: 'terraform-plan',
  // `terraform show -json` starts with format_version and terraform_version (one line, keys in this order).
  detect: (_file, head) =>
    /^\s*\{/.test(head) &&
    /"format_version"\s*:/.test(head) &&
    /"(terraform_version|planned_values|resource_changes)"\s*:/.test(head),
  read: readTerraformPlan,
};
