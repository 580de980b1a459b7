/**
 * The JSON Schema of the policy file, for editors (docs/policy.schema.json, written by `npm run docs`):
 * the loader's own schema, with `rules` spelled out from the rule registry (each rule's mode, severity and
 * parameters). The loader stays the authority: a few checks (calendar dates, regular expressions) are
 * only its own.
 */
import { toJsonSchema, type JSONSchema7 } from '@valibot/to-json-schema';
import { MODES, SEVERITIES } from '../../shared/model/finding';
import { RULES } from '../../shared/rules/registry';
import { PolicySchema } from '../../shared/policy/document';

/** Parameters are merged over the rule's defaults: every one is optional, none other is allowed. */
function paramsSchema(schema: Parameters<typeof toJsonSchema>[0]): JSONSchema7 {
  const { required: _required, $schema: _s, ...rest } = toJsonSchema(schema, { errorMode: 'ignore' });
  return { ...rest, additionalProperties: false };
}

export function policyJsonSchema(): JSONSchema7 {
  const base = toJsonSchema(PolicySchema, { errorMode: 'ignore' });
  const rules: JSONSchema7 = {
    type: ['object', 'null'],
    description: 'Per rule: mode, severity and parameters (README.md, "Rules").',
    additionalProperties: false,
    properties: Object.fromEntries(
      RULES.map((rule) => [
        rule.id,
        {
          type: ['object', 'null'],
          description: `${rule.title} (${rule.severity}). ${rule.description}`,
          additionalProperties: false,
          properties: {
            mode: { enum: [...MODES] },
            severity: { enum: [...SEVERITIES] },
            ...(rule.params ? { params: paramsSchema(rule.params.schema) } : {}),
          },
        } satisfies JSONSchema7,
      ]),
    ),
  };
  return {
    ...base,
    title: 'ECS Guardrail policy (guardrail.policy.yml)',
    properties: { ...base.properties, rules },
  };
}
