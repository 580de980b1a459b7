/**
 * CloudFormation intrinsic functions, resolved where the template alone decides the value and no further:
 * - `Ref` to a parameter with a `Default` is that default (what a deploy without overrides gets);
 *   a parameter without one, a pseudo parameter (`AWS::Region`, ...) is unknown;
 * - `Ref` / `Fn::GetAtt` to a resource of the template is a reference to it (a task definition's
 *   `TaskRoleArn: !GetAtt Role.Arn` names a role; which ARN it gets is known only after deploy);
 * - `Fn::Sub` whose variables are all resolved, `Fn::Join`, `Fn::Select`, `Fn::FindInMap` over resolved
 *   arguments; `Ref: AWS::NoValue` removes the property, as CloudFormation does;
 * - everything else (`Fn::If`, `Fn::ImportValue`, `Fn::GetAZs`, `Fn::Base64`, an intrinsic this reader
 *   does not know) is unknown: never flagged, listed with the reason.
 */
import type { Scalar, TemplateNode } from './template-tree';

export type ResolvedNode =
  | { readonly kind: 'scalar'; readonly value: Scalar; readonly line: number }
  | { readonly kind: 'seq'; readonly items: readonly ResolvedNode[]; readonly line: number }
  | {
      readonly kind: 'map';
      readonly entries: ReadonlyMap<string, { readonly node: ResolvedNode; readonly line: number }>;
      readonly line: number;
    }
  /** A resource of the template (`Ref`), or one of its attributes (`Fn::GetAtt`). */
  | { readonly kind: 'ref'; readonly logicalId: string; readonly attribute?: string; readonly line: number }
  | { readonly kind: 'unknown'; readonly reason: string; readonly line: number };

/** A parameter as a `Ref` reads it: its default, or why its value is unknown before deploy. */
export type TemplateParameter =
  | { readonly default: TemplateNode; readonly unknownBecause?: undefined }
  | { readonly default?: undefined; readonly unknownBecause: string };

export interface TemplateScope {
  readonly parameters: ReadonlyMap<string, TemplateParameter>;
  readonly mappings: TemplateNode | undefined;
  readonly resources: ReadonlySet<string>;
}

/** A name as it may be shown in a reason: logical ids and parameter names are alphanumeric in CloudFormation. */
export function shownName(name: unknown): string {
  return typeof name === 'string' && /^[A-Za-z0-9:._-]{1,128}$/.test(name) ? name : '(a name not shown)';
}

const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = ResolvedNode | typeof NO_VALUE;

const unknown = (reason: string, line: number): ResolvedNode => ({ kind: 'unknown', reason, line });

function intrinsicOf(n: TemplateNode): { name: string; arg: TemplateNode } | undefined {
  if (n.kind !== 'map' || n.entries.size !== 1) return undefined;
  const [name, entry] = n.entries.entries().next().value as [string, { node: TemplateNode }];
  return name === 'Ref' || name.startsWith('Fn::') ? { name, arg: entry.node } : undefined;
}

function scalarString(n: ResolvedNode): string | undefined {
  if (n.kind !== 'scalar' || n.value === null) return undefined;
  return String(n.value);
}

export function resolve(n: TemplateNode, scope: TemplateScope): ResolvedNode | undefined {
  const r = resolveNode(n, scope, 0);
  return r === NO_VALUE ? undefined : r;
}

function resolveNode(n: TemplateNode, scope: TemplateScope, depth: number): Resolved {
  // A parameter's default or a mapping may hold intrinsics too; a chain longer than this is a loop.
  if (depth > 32) return unknown('intrinsics nested too deep', n.line);
  const fn = intrinsicOf(n);
  if (fn) return resolveIntrinsic(fn.name, fn.arg, n.line, scope, depth);
  if (n.kind === 'scalar') return n;
  if (n.kind === 'seq') {
    const items: ResolvedNode[] = [];
    for (const i of n.items) {
      const r = resolveNode(i, scope, depth);
      if (r !== NO_VALUE) items.push(r);
    }
    return { kind: 'seq', items, line: n.line };
  }
  const entries = new Map<string, { node: ResolvedNode; line: number }>();
  for (const [k, e] of n.entries) {
    const r = resolveNode(e.node, scope, depth);
    if (r !== NO_VALUE) entries.set(k, { node: r, line: e.line });
  }
  return { kind: 'map', entries, line: n.line };
}

function resolveIntrinsic(
  name: string,
  arg: TemplateNode,
  line: number,
  scope: TemplateScope,
  depth: number,
): Resolved {
  const args = (): ResolvedNode[] | undefined => {
    const r = resolveNode(arg, scope, depth + 1);
    return r !== NO_VALUE && r.kind === 'seq' ? [...r.items] : undefined;
  };
  switch (name) {
    case 'Ref': {
      const target = arg.kind === 'scalar' ? arg.value : undefined;
      if (target === 'AWS::NoValue') return NO_VALUE;
      if (typeof target !== 'string') return unknown('Ref: not a name', line);
      if (target.startsWith('AWS::')) return unknown(`Ref: ${shownName(target)} (a pseudo parameter)`, line);
      const parameter = scope.parameters.get(target);
      if (parameter)
        return parameter.default
          ? resolveNode(parameter.default, scope, depth + 1)
          : unknown(`Ref: ${shownName(target)} (${parameter.unknownBecause})`, line);
      if (scope.resources.has(target)) return { kind: 'ref', logicalId: target, line };
      return unknown(`Ref: ${shownName(target)} (names nothing in the template)`, line);
    }
    case 'Fn::GetAtt': {
      // `!GetAtt Resource.Attribute` (split at the first dot) or `[Resource, Attribute]`.
      const dot = arg.kind === 'scalar' && typeof arg.value === 'string' ? arg.value.indexOf('.') : -1;
      const parts =
        arg.kind === 'scalar' && typeof arg.value === 'string'
          ? dot > 0
            ? [arg.value.slice(0, dot), arg.value.slice(dot + 1)]
            : []
          : arg.kind === 'seq'
            ? arg.items.map((i) => (i.kind === 'scalar' ? i.value : undefined))
            : [];
      const [id, attribute] = parts;
      if (typeof id === 'string' && typeof attribute === 'string' && scope.resources.has(id))
        return { kind: 'ref', logicalId: id, attribute, line };
      return unknown('Fn::GetAtt: known after deploy', line);
    }
    case 'Fn::Sub':
      return resolveSub(arg, line, scope, depth);
    case 'Fn::Join': {
      const a = args();
      const delimiter = a?.[0] && scalarString(a[0]);
      const list = a?.[1];
      if (delimiter === undefined || list?.kind !== 'seq')
        return unknown('Fn::Join: parts known after deploy', line);
      const parts = list.items.map(scalarString);
      if (parts.some((p) => p === undefined)) return unknown('Fn::Join: parts known after deploy', line);
      return { kind: 'scalar', value: parts.join(delimiter), line };
    }
    case 'Fn::Select': {
      const a = args();
      const index = a?.[0] && scalarString(a[0]);
      const list = a?.[1];
      const item =
        list?.kind === 'seq' && index !== undefined && /^\d+$/.test(index)
          ? list.items[Number(index)]
          : undefined;
      return item ?? unknown('Fn::Select: list or index known after deploy', line);
    }
    case 'Fn::FindInMap': {
      const a = args();
      const keys = a?.slice(0, 3).map((k) => scalarString(k));
      let node: TemplateNode | undefined = scope.mappings;
      for (const k of keys ?? [undefined]) {
        node = k !== undefined && node?.kind === 'map' ? node.entries.get(k)?.node : undefined;
      }
      if (keys?.length === 3 && node) return resolveNode(node, scope, depth + 1);
      return unknown('Fn::FindInMap: key known after deploy or not in Mappings', line);
    }
    case 'Fn::If':
      return unknown('Fn::If: depends on a condition', line);
    case 'Fn::ImportValue':
      return unknown("Fn::ImportValue: another stack's output", line);
    default:
      return unknown(`${shownName(name)}: not resolved before deploy`, line);
  }
}

/** `Fn::Sub`: a string, or [string, {variables}]; `${!Literal}` is the literal `${Literal}`. */
function resolveSub(arg: TemplateNode, line: number, scope: TemplateScope, depth: number): Resolved {
  const template = arg.kind === 'seq' ? arg.items[0] : arg;
  const vars = arg.kind === 'seq' ? arg.items[1] : undefined;
  if (template?.kind !== 'scalar' || typeof template.value !== 'string')
    return unknown('Fn::Sub: not a string', line);
  let missing = false;
  const value = template.value.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
    if (name.startsWith('!')) return `\${${name.slice(1)}}`;
    const local = vars?.kind === 'map' ? vars.entries.get(name)?.node : undefined;
    const source: TemplateNode | undefined =
      local ??
      (scope.parameters.has(name) || name.startsWith('AWS::') || scope.resources.has(name)
        ? {
            kind: 'map',
            entries: new Map([['Ref', { node: { kind: 'scalar', value: name, line }, line }]]),
            line,
          }
        : undefined);
    const r = source ? resolveNode(source, scope, depth + 1) : undefined;
    const s = r && r !== NO_VALUE ? scalarString(r) : undefined;
    if (s === undefined) missing = true;
    return s ?? whole;
  });
  return missing ? unknown('Fn::Sub: a variable known after deploy', line) : { kind: 'scalar', value, line };
}
