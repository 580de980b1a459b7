/** Task definition rule (AWS::ECS::TaskDefinition). */
import * as v from 'valibot';
import type { Evidence } from '../model/finding';
import { compileSecretPatterns, redactName, secretReason, type SecretPatterns } from './secrets';
import { TD } from './task-definition/helpers';
import { resourceRule } from './types';

export const tdSecretsInEnvironment = resourceRule({
  family: 'resource',
  id: 'td-secrets-in-environment',
  title: 'Credential in plain-text environment variable',
  severity: 'critical',
  resourceType: TD,
  appliesTo: 'TaskDefinition',
  description:
    'An `environment` entry (or a `logConfiguration.options` key) looks like a credential by name or by value format; the finding names the variable and the reason, never the value.',
  advice:
    'Move credentials to `secrets` (Secrets Manager or SSM Parameter Store) and rotate the exposed value.',
  controls: {
    securityHub: 'ECS.8',
    config: 'ecs-no-environment-secrets',
    prowler: 'ecs_task_definitions_no_environment_secrets',
    seeds: ['Managing secrets'],
  },
  params: {
    schema: v.object({
      extraNames: v.array(v.string()),
      extraValues: v.array(
        v.object({
          name: v.string(),
          pattern: v.pipe(
            v.string(),
            v.check((s) => {
              try {
                new RegExp(s);
                return true;
              } catch {
                return false;
              }
            }, 'must be a valid regular expression'),
          ),
        }),
      ),
      allowNames: v.array(v.string()),
    }),
    defaults: { extraNames: [], extraValues: [], allowNames: [] } as SecretPatterns,
  },
  check: (td, p) => {
    const c = compileSecretPatterns(p);
    const out: Evidence[] = [];
    td.containers.forEach((container, i) => {
      // Names and keys are shown; one that carries a value (`DB_PASSWORD=hunter2`) is shown redacted.
      // The container's shown name is worked out only for a container with a finding (most have none).
      let shownContainer: string | undefined;
      const containerName = (): string => (shownContainer ??= redactName(container.name, c));
      container.environment.forEach((e, j) => {
        const reason = secretReason(e.name, e.value, c);
        if (reason)
          out.push({
            path: `containerDefinitions[${i}].environment[${j}]`,
            message: `environment variable "${redactName(e.name, c)}" in container "${containerName()}" looks like a credential: ${reason}`,
            container: containerName(),
          });
      });
      if (container.logOptions)
        Object.entries(container.logOptions).forEach(([key, value], k) => {
          // Same exclusions as for environment values: flags and references are not secrets.
          const reason = secretReason(key, value, c);
          if (!reason) return;
          const shownKey = redactName(key, c);
          out.push({
            // The key goes into the path only when nothing was redacted from it (paths are not quoted).
            path: `containerDefinitions[${i}].logConfiguration.options${shownKey === key ? `.${key}` : `[${k}]`}`,
            message: `log option "${shownKey}" in container "${containerName()}" looks like a credential: ${reason}`,
            container: containerName(),
          });
        });
    });
    return out;
  },
});
