/**
 * The forwarding rules of infra/member-account.yml, rendered from infra/event-patterns.json (the patterns)
 * and infra/eventbridge.yml (each central rule's state and description): one member rule per central
 * rule, with exactly its pattern and state, so the StackSet template can never forward less than the
 * central stack evaluates. A CloudFormation template cannot include a file, hence a generated section.
 * Regenerate with `npm run docs`; test/unit/infra/member-account.test.ts fails when it is out of date.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

const ROOT = join(__dirname, '..', '..');
export const MEMBER_TEMPLATE_PATH = join(ROOT, 'infra', 'member-account.yml');
const PATTERNS_PATH = join(ROOT, 'infra', 'event-patterns.json');
const CENTRAL_RULES_PATH = join(ROOT, 'infra', 'eventbridge.yml');

const START =
  '  # forwarding:start (generated from infra/event-patterns.json and infra/eventbridge.yml by `npm run docs`)';
const END = '  # forwarding:end';
/** Every forwarding rule's name starts with it (the DLQ policy lets exactly these rules in). */
export const FORWARDING_RULE_PREFIX = 'ecs-guardrail-forward-';
/** EventBridge's maxima: a forwarded event is retried for a day before it goes to the DLQ. */
export const FORWARDING_RETRY = { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 };

export interface ForwardingRule {
  /** The key in infra/event-patterns.json (= the central function it feeds). */
  readonly key: string;
  readonly logicalId: string;
  readonly name: string;
  readonly state: string;
  readonly description: string;
  readonly pattern: unknown;
}

const pascal = (key: string): string =>
  key
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');

export interface CentralRule {
  Type?: string;
  Properties?: { EventPattern?: unknown; State?: unknown; Description?: unknown };
}

/** EventBridge's limits: a rule name (64 characters) and an event pattern (4096 characters, minified). */
const MAX_RULE_NAME = 64;
export const MAX_EVENT_PATTERN = 4096;

export const readPatterns = (): Record<string, unknown> =>
  JSON.parse(readFileSync(PATTERNS_PATH, 'utf8')) as Record<string, unknown>;

/** The central rules (infra/eventbridge.yml); short-form tags are irrelevant here: only plain properties are read. */
export const readCentralRules = (): CentralRule[] =>
  Object.values(
    (
      parseYaml(readFileSync(CENTRAL_RULES_PATH, 'utf8'), { logLevel: 'silent' }) as {
        Resources: Record<string, CentralRule>;
      }
    ).Resources,
  ).filter((r) => r.Type === 'AWS::Events::Rule');

/**
 * One forwarding rule per pattern key, with the state and description of the central rule that uses it.
 * Throws, naming the key, when no (or more than one) central rule uses a pattern, or a limit is exceeded.
 */
export function forwardingRules(
  patterns: Record<string, unknown> = readPatterns(),
  centralRules: CentralRule[] = readCentralRules(),
): ForwardingRule[] {
  return Object.entries(patterns).map(([key, pattern]) => {
    const users = centralRules.filter(
      (r) => r.Properties?.EventPattern === `\${file(./infra/event-patterns.json):${key}}`,
    );
    if (users.length !== 1)
      throw new Error(
        `infra/event-patterns.json "${key}": ${users.length} central rules in infra/eventbridge.yml use it (expected 1)`,
      );
    const p = users[0]!.Properties!;
    const name = `${FORWARDING_RULE_PREFIX}${key}`;
    if (!/^[A-Za-z0-9._-]+$/.test(name) || name.length > MAX_RULE_NAME)
      throw new Error(
        `infra/event-patterns.json "${key}": the rule name ${name} is not a valid EventBridge rule name`,
      );
    const size = JSON.stringify(pattern).length;
    if (size > MAX_EVENT_PATTERN)
      throw new Error(
        `infra/event-patterns.json "${key}": the pattern has ${size} characters (EventBridge: ${MAX_EVENT_PATTERN})`,
      );
    if (typeof p.State !== 'string')
      throw new Error(`infra/eventbridge.yml: the rule using "${key}" has no State`);
    return {
      key,
      logicalId: `Forward${pascal(key)}Rule`,
      name,
      state: p.State,
      description: `To the central ECS Guardrail bus: ${String(p.Description)}`.slice(0, 512),
      pattern,
    };
  });
}

/** The YAML of the generated resources (indented as resources of the template). */
export function renderForwardingRules(rules: readonly ForwardingRule[] = forwardingRules()): string {
  const blocks = rules.map((r) => {
    const body = stringifyYaml(
      {
        Type: 'AWS::Events::Rule',
        Condition: 'ForwardEvents',
        Properties: {
          Name: r.name,
          Description: r.description,
          State: r.state,
          EventPattern: r.pattern,
          Targets: [
            {
              Id: 'central-bus',
              Arn: '__REF_BUS__',
              RoleArn: '__ROLE__',
              RetryPolicy: FORWARDING_RETRY,
              DeadLetterConfig: { Arn: '__DLQ__' },
            },
          ],
        },
      },
      { lineWidth: 0 },
    )
      .replace('__REF_BUS__', '!Ref CentralEventBusArn')
      .replace('__ROLE__', '!GetAtt ForwardingRole.Arn')
      .replace('__DLQ__', '!GetAtt ForwardingDlq.Arn');
    const indented = body
      .trimEnd()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
    return `  # What the central rule of infra/event-patterns.json "${r.key}" takes, forwarded.\n  ${r.logicalId}:\n${indented}`;
  });
  return blocks.join('\n\n');
}

/** The template with its generated section replaced. */
export function withForwardingRules(template: string, rules?: readonly ForwardingRule[]): string {
  const i = template.indexOf(START);
  const j = template.indexOf(END);
  if (i === -1 || j === -1 || j < i)
    throw new Error(`${MEMBER_TEMPLATE_PATH}: markers "${START.trim()}" ... "${END.trim()}" not found`);
  return `${template.slice(0, i + START.length)}\n${renderForwardingRules(rules)}\n${template.slice(j)}`;
}

/** The whole template as it must be on disk: generated section replaced, then formatted by prettier. */
export async function renderedMemberTemplate(template: string): Promise<string> {
  const prettier = await import('prettier');
  const config = (await prettier.resolveConfig(MEMBER_TEMPLATE_PATH)) ?? {};
  return prettier.format(withForwardingRules(template), { ...config, filepath: MEMBER_TEMPLATE_PATH });
}
