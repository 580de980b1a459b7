/** Loading the copies of the handbook fixtures (test/fixtures/events/, see its README). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURE_DIR = join(__dirname, '..', '..', 'fixtures', 'events');

/** A fresh deep copy of a fixture (tests may mutate it). */
export function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURE_DIR, name), 'utf8')) as Record<string, unknown>;
}

export function fixtureNames(): string[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

/** `detail` of a fixture, typed loosely for edits. */
export function detailOf(event: Record<string, unknown>): Record<string, unknown> {
  return event.detail as Record<string, unknown>;
}
