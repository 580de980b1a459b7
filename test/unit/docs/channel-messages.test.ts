/**
 * docs/notifications.md shows every message of the PagerDuty, Jira, Microsoft Teams, email and webhook
 * channels in full: each `<!-- example: NAME -->` block is exactly what the code produces today for the
 * page's example finding (test/unit/docs/channel-examples.ts), and no example is missing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { channelExamples } from './channel-examples';

const DOC = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'notifications.md'), 'utf8');

function documented(): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of DOC.matchAll(/<!-- example: ([^>]+?) -->\s*```(json|text)\n([\s\S]*?)\n```/g))
    out.set(m[1]!, m[3]!);
  return out;
}

describe('channel messages in docs/notifications.md', () => {
  const docs = documented();
  const examples = channelExamples();

  it('shows every example', () => {
    expect([...docs.keys()].sort()).toEqual(Object.keys(examples).sort());
  });

  for (const [name, value] of Object.entries(examples))
    it(`"${name}" is what the code produces`, () => {
      const shown = docs.get(name);
      expect(shown, name).toBeDefined();
      if (typeof value === 'string') expect(shown).toBe(value);
      else expect(JSON.parse(shown!)).toEqual(JSON.parse(JSON.stringify(value)));
    });
});
