/** Scratch channel: writes each notification as one JSON line to stdout. */
import * as v from 'valibot';
import { SEVERITIES } from '../../../model/finding';
import { atLeast, defineChannel, type ChannelSection, type Target } from '../channel';

const LOG_TARGET: Target = { key: 'log', channel: 'log' };

export const logChannel = defineChannel<ChannelSection, { readonly write?: (line: string) => void }, Target>({
  name: 'log',
  title: 'Standard output',
  policySchema: v.strictObject({
    enabled: v.optional(v.boolean()),
    minSeverity: v.optional(v.picklist(SEVERITIES)),
  }),
  defaults: { enabled: false, minSeverity: 'info' },
  environment: [],
  iamPermissions: [],
  idempotent: true,
  targets: (finding, section) =>
    section.enabled && atLeast(finding.severity, section.minSeverity) ? [LOG_TARGET] : [],
  open(deps) {
    const write = deps?.write ?? ((line: string) => process.stdout.write(`${line}\n`));
    return {
      async deliver(items, ctx) {
        for (const i of items) {
          write(
            JSON.stringify({
              kind: i.n.kind,
              findingId: i.n.finding.findingId,
              severity: i.n.finding.severity,
            }),
          );
          await ctx.done(i, undefined);
        }
      },
    };
  },
});
