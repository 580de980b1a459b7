/**
 * CloudFormation templates (JSON or YAML) and the templates of a CDK cloud assembly (`cdk.out`) -> one
 * normalized event of the template's ECS resources (docs/iac.md). Account and region are '' (a template
 * does not say where it is deployed); each resource is `<file>#<logical id>` (CDK: `<file>#<construct path>`).
 */
import { createHash } from 'node:crypto';
import type { Resource, SecurityGroupUser } from '../../model/resources';
import { IacInputError } from '../errors';
import type { IacDocument, IacForm, IacReader, UnknownValue } from '../types';
import { resolve, shownName, type TemplateParameter, type TemplateScope } from './intrinsics';
import { convertProperties } from './properties';
import { buildResource, ECS_TYPES, type EcsType } from './resources';
import { parseTemplateTree, type TemplateNode } from './template-tree';

/**
 * The largest template read, in bytes: CloudFormation's own limit for a template in S3 is 1 MB
 * (51,200 bytes inline); a little room above it for a template that does not deploy as it is.
 */
export const MAX_TEMPLATE_BYTES = 1024 * 1024;

/** A CDK resource's construct path (`MyStack/Service/TaskDef/Resource`) as it may be shown. */
const CONSTRUCT_PATH = /^[\x21-\x7e][\x20-\x7e]{0,511}$/;

function isReadType(t: unknown): t is EcsType {
  return typeof t === 'string' && (ECS_TYPES as readonly string[]).includes(t);
}

function entry(n: TemplateNode | undefined, key: string): TemplateNode | undefined {
  return n?.kind === 'map' ? n.entries.get(key)?.node : undefined;
}

/** A parameter as a `Ref` reads it: its default, or why its value is unknown before deploy. */
function parameterOf(p: TemplateNode): TemplateParameter {
  const type = entry(p, 'Type');
  const typeName = type?.kind === 'scalar' && typeof type.value === 'string' ? type.value : '';
  const noEcho = entry(p, 'NoEcho');
  // A NoEcho parameter is a secret: its default is never read.
  if (noEcho?.kind === 'scalar' && String(noEcho.value).toLowerCase() === 'true')
    return { unknownBecause: 'a NoEcho parameter' };
  // The default of an SSM parameter type is the parameter's name: its value is read at deploy.
  if (typeName.startsWith('AWS::SSM::Parameter::'))
    return { unknownBecause: 'an SSM parameter, read at deploy' };
  const def = entry(p, 'Default');
  if (!def) return { unknownBecause: 'a parameter without a Default' };
  // A list parameter's default is one comma-separated string; a Ref to it is the list.
  if ((typeName === 'CommaDelimitedList' || typeName.startsWith('List<')) && def.kind === 'scalar')
    return {
      default: {
        kind: 'seq',
        items: String(def.value ?? '')
          .split(',')
          .map((item) => ({ kind: 'scalar', value: item.trim(), line: def.line })),
        line: def.line,
      },
    };
  return { default: def };
}

function scopeOf(
  root: Extract<TemplateNode, { kind: 'map' }>,
  resources: ReadonlySet<string>,
): TemplateScope {
  const parameters = new Map<string, TemplateParameter>();
  const params = entry(root, 'Parameters');
  if (params?.kind === 'map')
    for (const [name, p] of params.entries) parameters.set(name, parameterOf(p.node));
  return { parameters, mappings: entry(root, 'Mappings'), resources };
}

/**
 * A security group of the template is used by the services and task sets that name it
 * (`!Ref Group` / `!GetAtt Group.GroupId` in `SecurityGroups`), with a public IP when they assign one.
 * As on the event path (where enrichment reads the groups of a workload), a group no workload of the
 * template uses is not checked: a load balancer's group open to the world is not an ECS finding.
 */
function linkSecurityGroups(resources: readonly Resource[]): Resource[] {
  return resources.flatMap((r): Resource[] => {
    if (r.kind !== 'SecurityGroup') return [r];
    const names = new Set([r.arn, `${r.arn}.GroupId`]);
    const usedBy: SecurityGroupUser[] = [];
    for (const w of resources)
      if (
        (w.kind === 'Service' || w.kind === 'TaskSet') &&
        w.network?.securityGroups?.some((g) => names.has(g))
      )
        usedBy.push({ arn: w.arn, publicIp: w.network.assignPublicIp === 'ENABLED' });
    return usedBy.length ? [{ ...r, usedBy }] : [];
  });
}

/**
 * How each resource is named: its logical id, or (CDK) its construct path. CloudFormation's logical ids are
 * alphanumeric: any other (control characters, markup) is named by its position, so no two resources
 * share a name and nothing of it reaches a terminal or a message. References to a resource use the same.
 */
function namesOf(
  resources: Extract<TemplateNode, { kind: 'map' }>,
  form: IacForm,
): Map<string, { readonly shown: string; readonly address: string }> {
  const names = new Map<string, { shown: string; address: string }>();
  let index = 0;
  for (const [logicalId, { node }] of resources.entries) {
    index++;
    const shown =
      shownName(logicalId) === logicalId ? logicalId : `(resource ${index}: logical id not shown)`;
    const cdkPath = entry(entry(node, 'Metadata'), 'aws:cdk:path');
    const address =
      form === 'cdk' &&
      cdkPath?.kind === 'scalar' &&
      typeof cdkPath.value === 'string' &&
      CONSTRUCT_PATH.test(cdkPath.value)
        ? cdkPath.value
        : shown;
    names.set(logicalId, { shown, address });
  }
  return names;
}

function readTemplate(text: string, file: string, form: IacForm): IacDocument {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_TEMPLATE_BYTES)
    throw new IacInputError(
      file,
      `template of ${bytes} bytes is over the limit of ${MAX_TEMPLATE_BYTES} bytes`,
    );
  const root = parseTemplateTree(text, file);
  if (root.kind !== 'map')
    throw new IacInputError(file, 'a template is an object (a map), not a list or a value', root.line);
  const resourcesNode = root.entries.get('Resources');
  if (!resourcesNode || resourcesNode.node.kind !== 'map')
    throw new IacInputError(
      file,
      'Resources: expected an object of resources',
      resourcesNode?.line ?? root.line,
    );

  const scope = scopeOf(root, new Set(resourcesNode.node.entries.keys()));
  const resources: Resource[] = [];
  const unknown: UnknownValue[] = [];
  if (root.entries.has('Transform'))
    unknown.push({
      address: '(template)',
      path: 'Transform',
      line: root.entries.get('Transform')!.line,
      reason: 'a transform (macro) may add or change resources: the resources are read as written',
    });

  const names = namesOf(resourcesNode.node, form);
  const nameOf = (logicalId: string) => `${file}#${names.get(logicalId)?.address ?? logicalId}`;
  for (const [logicalId, { node, line }] of resourcesNode.node.entries) {
    const { shown, address } = names.get(logicalId)!;
    if (node.kind !== 'map')
      throw new IacInputError(file, `Resources.${shown}: expected an object with a Type`, line);
    const type = entry(node, 'Type');
    const typeName = type?.kind === 'scalar' ? type.value : undefined;
    if (!isReadType(typeName)) continue;
    const propsEntry = node.entries.get('Properties');
    const resolved = propsEntry ? resolve(propsEntry.node, scope) : undefined;
    if (resolved && resolved.kind === 'scalar' && resolved.value !== null)
      throw new IacInputError(file, `Resources.${shown}.Properties: expected an object`, propsEntry?.line);
    if (resolved && resolved.kind === 'seq')
      throw new IacInputError(
        file,
        `Resources.${shown}.Properties: expected an object, got a list`,
        propsEntry?.line,
      );
    const properties = convertProperties(
      resolved && resolved.kind !== 'scalar' ? resolved : { kind: 'map', entries: new Map(), line },
      nameOf,
    );
    for (const u of properties.unknown)
      unknown.push({ address, path: u.path, line: u.line, reason: u.reason });
    const built = buildResource({ file, logicalId: shown, address, type: typeName, line, properties });
    if (built) resources.push(built);
  }

  const id = `${form}:${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
  return {
    form,
    file,
    unknown,
    normalized: {
      event: {
        id,
        source: 'guardrail.iac',
        detailType: form === 'cdk' ? 'CDK cloud assembly template' : 'CloudFormation template',
        // When it was checked: a template has no time of its own.
        time: new Date().toISOString(),
      },
      account: '',
      region: '',
      resources: linkSecurityGroups(resources),
      signals: [],
      taskDefinitionRefs: [],
    },
  };
}

/**
 * The first characters of a template: its format version, or a `Resources` map with an `AWS::` type, as
 * keys of the document itself. A template quoted inside another document (a CloudTrail `CreateStack`
 * record's `templateBody`, a Terraform plan's `template_body`) is a JSON string: its quotes are escaped
 * and its YAML lines are not lines of the document, so it is not taken for a template.
 */
export function looksLikeTemplate(head: string): boolean {
  const text = head.replace(/^\uFEFF/, '');
  if (/^\s*[{[]/.test(text))
    return (
      /(^|[^\\])"AWSTemplateFormatVersion"\s*:/.test(text) ||
      (/(^|[^\\])"Resources"\s*:\s*\{/.test(text) && /(^|[^\\])"Type"\s*:\s*"AWS::/.test(text))
    );
  return (
    /^["']?AWSTemplateFormatVersion["']?\s*:/m.test(text) ||
    (/^["']?Resources["']?\s*:/m.test(text) && /^\s+["']?Type["']?\s*:\s*["']?AWS::/m.test(text))
  );
}

/** A template of a CDK cloud assembly: `<Stack>.template.json` in `cdk.out`, or one that carries construct paths. */
export function isCdkTemplate(file: string, head: string): boolean {
  return (
    /\.template\.json$/.test(file) && (/(^|[\\/])cdk\.out[\\/]/.test(file) || head.includes('"aws:cdk:path"'))
  );
}

export const cdkTemplateReader: IacReader = {
  form: 'cdk',
  detect: (file, head) => isCdkTemplate(file, head) && looksLikeTemplate(head),
  read: (text, file) => readTemplate(text, file, 'cdk'),
};

export const cloudFormationReader: IacReader = {
  form: 'cloudformation',
  detect: (_file, head) => looksLikeTemplate(head),
  read: (text, file) => readTemplate(text, file, 'cloudformation'),
};
