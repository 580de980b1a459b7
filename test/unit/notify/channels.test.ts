/**
 * The channel registry is the single source: the policy's notifications sections are its channels'
 * schemas and defaults, routing order is registry order, the notifier's role grants every channel's
 * permissions, and docs/notifications.md names every channel's environment variables.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CHANNELS, channelIamPermissions } from '../../../shared/notify/channels';
import { CHANNEL_SPECS } from '../../../shared/plugins/channels';
import { DEFAULT_NOTIFICATIONS_POLICY, parsePolicy } from '../../../shared/policy/load';
import { cfnTags } from '../remediation/helpers';

const ROOT = join(__dirname, '..', '..', '..');

interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
}

describe('channel registry', () => {
  it('each channel is its declaration (shared/plugins/channels, what the policy reads), in the same order', () => {
    expect(CHANNELS.map((c) => c.name)).toEqual(CHANNEL_SPECS.map((s) => s.name));
    CHANNELS.forEach((c, i) => {
      const spec = CHANNEL_SPECS[i]!;
      expect(c.policySchema, c.name).toBe(spec.policySchema);
      expect(c.defaults, c.name).toBe(spec.defaults);
      expect(c.environment, c.name).toBe(spec.environment);
      expect(c.iamPermissions, c.name).toBe(spec.iamPermissions);
    });
  });

  it('names are unique and each default section passes its own schema', () => {
    expect(new Set(CHANNELS.map((c) => c.name)).size).toBe(CHANNELS.length);
    for (const c of CHANNELS) {
      expect(v.safeParse(c.policySchema, c.defaults).success, c.name).toBe(true);
      expect((DEFAULT_NOTIFICATIONS_POLICY as unknown as Record<string, unknown>)[c.name]).toEqual(
        c.defaults,
      );
    }
  });

  it("every channel's section is read from the policy, and its unknown keys are refused", () => {
    for (const c of CHANNELS) {
      const p = parsePolicy(`notifications:\n  ${c.name}:\n    minSeverity: critical\n`);
      expect(
        (p.notifications as unknown as Record<string, { minSeverity: string }>)[c.name]!.minSeverity,
      ).toBe('critical');
      expect(() => parsePolicy(`notifications:\n  ${c.name}:\n    colour: red\n`)).toThrow(
        `notifications.${c.name}.colour: unknown key`,
      );
    }
  });

  it("the notifier's role grants every channel's permissions", () => {
    const iam = parseYaml(readFileSync(join(ROOT, 'infra', 'iam.yml'), 'utf8'), {
      customTags: cfnTags(),
    }) as {
      Resources: Record<
        string,
        { Properties: { Policies: { PolicyDocument: { Statement: Statement[] } }[] } }
      >;
    };
    const allowed = iam.Resources.NotifierRole!.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => s.Effect === 'Allow')
      .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]));
    expect(channelIamPermissions().length).toBeGreaterThan(0);
    for (const p of channelIamPermissions()) expect(allowed).toContain(p);
  });

  it("docs/notifications.md names every channel's environment variables", () => {
    const doc = readFileSync(join(ROOT, 'docs', 'notifications.md'), 'utf8');
    for (const c of CHANNELS) for (const e of c.environment) expect(doc, c.name).toContain(e.name);
  });
});
