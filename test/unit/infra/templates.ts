/**
 * The declared templates as plain data, for the infra unit tests: serverless.yml and the CloudFormation
 * files it includes (infra/*.yml), short-form tags (!Ref, !Sub, ...) turned into their long form.
 * Serverless variables (`${self:...}`, `${param:x, default}`) stay strings; `resolveVariable` reads the
 * few these tests need. The generated template is checked by test/integration/package.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, type CollectionTag, type ScalarTag } from 'yaml';

export const ROOT = join(__dirname, '..', '..', '..');

const TAGS = [
  'Ref',
  'Sub',
  'GetAtt',
  'If',
  'Equals',
  'Not',
  'Or',
  'And',
  'Condition',
  'Join',
  'Select',
  'Split',
];

function cfnTags(): (ScalarTag | CollectionTag)[] {
  const fn = (n: string): string => (n === 'Ref' || n === 'Condition' ? n : `Fn::${n}`);
  return TAGS.flatMap((n) => [
    { tag: `!${n}`, resolve: (v: string) => ({ [fn(n)]: n === 'GetAtt' ? v.split('.') : v }) } as ScalarTag,
    {
      tag: `!${n}`,
      collection: 'seq',
      resolve: (v) => ({ [fn(n)]: (v as unknown as { toJSON(): unknown }).toJSON() }),
    } as CollectionTag,
  ]);
}

export type Json = Record<string, unknown>;

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export interface CfnResource {
  Type: string;
  Condition?: string;
  Properties: Json;
}

export interface Template {
  Parameters?: Record<string, Json>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown }>;
}

export function readYaml(relativePath: string): unknown {
  return parseYaml(readFileSync(join(ROOT, relativePath), 'utf8'), { customTags: cfnTags() });
}

export interface Service {
  custom: Json;
  functions: Record<string, Json>;
  resources: string[];
}

export const readService = (): Service => readYaml('serverless.yml') as Service;

/** The central stack's resources: every infra file serverless.yml includes, merged. */
export function centralTemplate(): Template {
  const merged: Template = { Parameters: {}, Resources: {}, Outputs: {} };
  for (const ref of readService().resources) {
    const file = /^\$\{file\(\.\/(.+)\)\}$/.exec(ref)?.[1];
    if (!file) throw new Error(`serverless.yml resources: not a file include: ${ref}`);
    const t = readYaml(file) as Partial<Template>;
    Object.assign(merged.Parameters!, t.Parameters);
    Object.assign(merged.Resources, t.Resources);
    Object.assign(merged.Outputs!, t.Outputs);
  }
  return merged;
}

export const asArray = <T>(x: T | T[] | undefined): T[] =>
  x === undefined ? [] : Array.isArray(x) ? x : [x];

/** `${self:custom.a.b}` and `${param:name, default}` (the default), as osls resolves them offline. */
export function resolveVariable(value: unknown, service: Service): unknown {
  if (typeof value !== 'string') return value;
  const self = /^\$\{self:custom\.([\w.]+)\}$/.exec(value);
  if (self) {
    let v: unknown = service.custom;
    for (const k of self[1]!.split('.')) v = (v as Json | undefined)?.[k];
    return resolveVariable(v, service);
  }
  const param = /^\$\{param:\w+, *(.+)\}$/.exec(value);
  if (param) {
    const d = param[1]!.trim();
    return /^\d+$/.test(d) ? Number(d) : d.replace(/^'(.*)'$/, '$1');
  }
  return value;
}
