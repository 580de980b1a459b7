/** The event corpus for the event and rule tests (test/helpers/fixtures.ts, test/fixtures/events/README.md). */
export { FIXTURE_DIR, fixtureNames, loadFixture as fixture } from '../../helpers/fixtures';

/** `detail` of a fixture, typed loosely for edits. */
export function detailOf(event: Record<string, unknown>): Record<string, unknown> {
  return event.detail as Record<string, unknown>;
}
