/** Helpers shared by the task definition rules (td-*.ts beside this folder). */
import type { Evidence, Severity } from '../../model/finding';
import type { ContainerDefinition, TaskDefinitionResource } from '../../model/resources';
import { resourceRule, type Rule, type RuleMeta } from '../types';

export const TD = 'AWS::ECS::TaskDefinition';

export const isWindows = (td: TaskDefinitionResource): boolean =>
  (td.osFamily ?? '').toUpperCase().startsWith('WINDOWS');

/** One evidence per container for which `fn` returns a message, pointing at `field` of that container. */
export function perContainer(
  td: TaskDefinitionResource,
  fn: (c: ContainerDefinition, path: string) => string | undefined,
  field: string,
): Evidence[] {
  const out: Evidence[] = [];
  td.containers.forEach((c, i) => {
    const message = fn(c, `containerDefinitions[${i}]`);
    if (message) out.push({ path: `containerDefinitions[${i}].${field}`, message, container: c.name });
  });
  return out;
}

/** Values derived from a (readonly) parameter list once per policy instead of once per event. */
export function perParams<V>(derive: (list: readonly string[]) => V): (list: readonly string[]) => V {
  const cache = new WeakMap<readonly string[], V>();
  return (list) => {
    let v = cache.get(list);
    if (v === undefined) cache.set(list, (v = derive(list)));
    return v;
  };
}

/** The three "shares a host namespace" rules differ only in the field they read. */
export function hostModeRule(
  id: string,
  field: 'networkMode' | 'pidMode' | 'ipcMode',
  severity: Extract<Severity, 'high' | 'medium'>,
  title: string,
  sh?: string,
  extra: object = {},
  ownFrameworks?: RuleMeta['ownFrameworks'],
): Rule {
  return resourceRule({
    family: 'resource',
    id,
    title,
    severity,
    resourceType: TD,
    appliesTo: 'TaskDefinition',
    description: `\`${field}\` is \`host\`.`,
    advice: `Do not share the host's ${field === 'networkMode' ? 'network stack' : field === 'pidMode' ? 'process namespace' : 'IPC namespace'} with containers.`,
    controls: { ...(sh ? { securityHub: sh } : {}), ...extra },
    ...(ownFrameworks ? { ownFrameworks } : {}),
    check: (td: TaskDefinitionResource) =>
      td[field] === 'host' ? [{ path: field, message: `${field} is "host"` }] : [],
  });
}
