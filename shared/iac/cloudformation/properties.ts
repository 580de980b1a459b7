/**
 * A resource's resolved `Properties` -> the ECS API shape the event path reads (PascalCase -> camelCase,
 * `ClusterSettings` -> `settings`), with CloudFormation's own coercion ("true"/"false" are booleans,
 * numeric strings are numbers where CloudFormation takes a number), the line of every property keyed by
 * the evidence path the rules write (`containerDefinitions[0].privileged`), and the unknown values left
 * out of the shape and listed instead.
 */
import type { ResolvedNode } from './intrinsics';
import { shownName } from './intrinsics';
import type { Scalar } from './template-tree';

/** CloudFormation names that are not the API's name with a lower-case first letter. */
const RENAMED: Readonly<Record<string, string>> = {
  ClusterSettings: 'settings',
  EFSVolumeConfiguration: 'efsVolumeConfiguration',
  FSxWindowsFileServerVolumeConfiguration: 'fsxWindowsFileServerVolumeConfiguration',
};

/** Maps whose keys are the user's (log driver options, labels): kept as written, values as strings. */
const FREE_FORM = new Set(['options', 'dockerLabels', 'driverOpts', 'labels']);

/** Properties CloudFormation takes as booleans (a "true"/"false" string is read as one). */
const BOOLEANS = new Set([
  'privileged',
  'readonlyRootFilesystem',
  'essential',
  'disableNetworking',
  'interactive',
  'pseudoTerminal',
  'initProcessEnabled',
  'enableExecuteCommand',
  'enable',
  'rollback',
  'enableECSManagedTags',
  'readOnly',
]);

/** Properties CloudFormation takes as integers (a numeric string is read as one), below the top level. */
const NUMBERS = new Set([
  'memory',
  'memoryReservation',
  'cpu',
  'containerPort',
  'hostPort',
  'desiredCount',
  'weight',
  'base',
  'healthCheckGracePeriodSeconds',
  'maximumPercent',
  'minimumHealthyPercent',
  'startTimeout',
  'stopTimeout',
  'sharedMemorySize',
  'maxSwap',
  'swappiness',
  'fromPort',
  'toPort',
]);

/** A task definition's own `Cpu` and `Memory` are strings in the API ("1024", "1 GB"). */
const TOP_LEVEL_STRINGS = new Set(['cpu', 'memory']);

/** Where a reference to another resource of the template is the value (a name or an ARN it will have). */
const REFERENCE_FIELDS = new Set([
  'cluster',
  'service',
  'taskDefinition',
  'taskRoleArn',
  'executionRoleArn',
  'capacityProvider',
  'autoScalingGroupArn',
  'securityGroups',
  'subnets',
  'fileSystemId',
  'vpcId',
]);

export interface PropertyUnknown {
  /** The CloudFormation path (`Properties.ContainerDefinitions[0].Privileged`). */
  readonly path: string;
  /**
   * The evidence path the rules would write (`containerDefinitions[0].privileged`; '' for the whole
   * resource): a finding on it is not reported. None for an item left out of a list.
   */
  readonly evidencePath?: string;
  readonly line: number;
  readonly reason: string;
}

export interface ConvertedProperties {
  readonly shape: Record<string, unknown>;
  /** Lines by evidence path (`containerDefinitions[0].privileged`). */
  readonly lines: Record<string, number>;
  /** The CloudFormation path and line by the validator's dotted path (`containerDefinitions.0.privileged`). */
  readonly byDotted: ReadonlyMap<string, { readonly path: string; readonly line: number }>;
  readonly unknown: readonly PropertyUnknown[];
}

function reasonOf(n: ResolvedNode): string {
  if (n.kind === 'unknown') return n.reason;
  if (n.kind === 'ref')
    return `${n.attribute ? 'Fn::GetAtt' : 'Ref'}: resource ${shownName(n.logicalId)} (known after deploy)`;
  return 'unknown';
}

export function apiName(key: string): string {
  return RENAMED[key] ?? key.charAt(0).toLowerCase() + key.slice(1);
}

/** YAML 1.1 booleans (CloudFormation reads YAML 1.1; the parser here reads 1.2, where they are strings). */
const YAML11_TRUE = new Set(['true', 'yes', 'y', 'on']);
const YAML11_FALSE = new Set(['false', 'no', 'n', 'off']);

/**
 * A scalar as CloudFormation passes it on: booleans and integers where it takes them, and a string
 * everywhere else (`User: 1000` is the string "1000", as the API expects).
 */
function coerce(key: string, value: Scalar, topLevel: boolean, inFreeForm: boolean): Scalar {
  if (value === null) return null;
  if (inFreeForm || (topLevel && TOP_LEVEL_STRINGS.has(key))) return String(value);
  if (BOOLEANS.has(key)) {
    if (typeof value !== 'string') return value;
    const lower = value.toLowerCase();
    return YAML11_TRUE.has(lower) ? true : YAML11_FALSE.has(lower) ? false : value;
  }
  if (NUMBERS.has(key))
    return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return String(value);
}

/**
 * `nameOf` names references to the template's resources: `Cluster: !Ref Cluster` is `<file>#Cluster`
 * (CDK: `<file>#<construct path>`), the same name the referenced resource's findings carry.
 */
export function convertProperties(
  properties: ResolvedNode,
  nameOf: (logicalId: string) => string,
): ConvertedProperties {
  const lines: Record<string, number> = {};
  const byDotted = new Map<string, { path: string; line: number }>();
  const unknown: PropertyUnknown[] = [];

  const walk = (
    n: ResolvedNode,
    key: string,
    cfnPath: string,
    evidencePath: string,
    dotted: string,
    line: number,
    inFreeForm: boolean,
  ): unknown => {
    if (evidencePath) lines[evidencePath] = line;
    if (dotted) byDotted.set(dotted, { path: cfnPath, line });
    const topLevel = !evidencePath.includes('.') && !evidencePath.includes('[');
    switch (n.kind) {
      case 'unknown':
        unknown.push({ path: cfnPath, evidencePath, line, reason: n.reason });
        return undefined;
      case 'ref':
        if (REFERENCE_FIELDS.has(key)) return `${nameOf(n.logicalId)}${n.attribute ? `.${n.attribute}` : ''}`;
        unknown.push({ path: cfnPath, evidencePath, line, reason: reasonOf(n) });
        return undefined;
      case 'scalar':
        return coerce(key, n.value, topLevel, inFreeForm);
      case 'seq': {
        const out: unknown[] = [];
        n.items.forEach((item, i) => {
          if (item.kind === 'unknown' || (item.kind === 'ref' && !REFERENCE_FIELDS.has(key))) {
            // An unknown item is left out of the list; the items kept are numbered as the rules see them,
            // so the unknown one names no evidence path (it would be another item's).
            unknown.push({ path: `${cfnPath}[${i}]`, line: item.line, reason: reasonOf(item) });
            return;
          }
          const j = out.length;
          const v = walk(
            item,
            key,
            `${cfnPath}[${i}]`,
            `${evidencePath}[${j}]`,
            `${dotted}.${j}`,
            item.line,
            inFreeForm,
          );
          if (v !== undefined) out.push(v);
        });
        return out;
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        const freeForm = FREE_FORM.has(key) && !inFreeForm;
        for (const [k, e] of n.entries) {
          const name = freeForm ? k : apiName(k);
          const ev = evidencePath ? `${evidencePath}.${name}` : name;
          const d = dotted ? `${dotted}.${name}` : name;
          const v = walk(e.node, name, `${cfnPath}.${k}`, ev, d, e.line, freeForm);
          if (v !== undefined) out[name] = v;
        }
        return out;
      }
    }
  };

  if (properties.kind !== 'map') {
    if (properties.kind === 'unknown' || properties.kind === 'ref')
      unknown.push({
        path: 'Properties',
        evidencePath: '',
        line: properties.line,
        reason: 'Properties known after deploy',
      });
    return { shape: {}, lines, byDotted, unknown };
  }
  const shape = walk(properties, '', 'Properties', '', '', properties.line, false) as Record<string, unknown>;
  return { shape, lines, byDotted, unknown };
}
