/** One event through the engine: parse -> normalize -> enrich (optional) -> evaluate -> windows. */
import type { Incomplete, NormalizedEvent } from '../events/normalize';
import { normalize } from '../events/normalize';
import { parseEvent, type ParsedEvent } from '../events/parse';
import type { EventRef, Finding } from '../model/finding';
import type { Policy } from '../policy/types';
import { enrichEvent, type Enricher } from './enrich';
import { countWindows, evaluate } from './evaluate';
import type { WindowCounter } from './windows';

export interface EngineDeps {
  readonly policy: Policy;
  readonly counter: WindowCounter;
  readonly enricher?: Enricher;
  readonly now?: () => Date;
}

export interface EventResult {
  readonly event: EventRef;
  readonly findings: Finding[];
  readonly incomplete?: Incomplete;
}

/**
 * The result and the event as normalized and enriched (what it showed: the lifecycle resolves findings
 * it shows fixed). Kept apart from the result, which is safe to serialize: resources carry raw values
 * (environment variables) that must never reach a log or a message.
 */
export async function evaluateWithEvent(
  parsed: ParsedEvent,
  deps: EngineDeps,
): Promise<{ readonly result: EventResult; readonly normalized: NormalizedEvent }> {
  let n = normalize(parsed);
  if (deps.enricher) n = await enrichEvent(n, deps.enricher);
  const { findings, windowed } = evaluate(n, { policy: deps.policy, now: deps.now?.() ?? new Date() });
  if (windowed.length) findings.push(...(await countWindows(windowed, deps.counter, deps.policy)));
  return {
    result: { event: n.event, findings, ...(n.incomplete ? { incomplete: n.incomplete } : {}) },
    normalized: n,
  };
}

export async function evaluateParsed(parsed: ParsedEvent, deps: EngineDeps): Promise<EventResult> {
  return (await evaluateWithEvent(parsed, deps)).result;
}

/** Raw JSON value (already JSON.parse'd) -> result. Throws InvalidEventError for bad input. */
export function evaluateRaw(raw: unknown, deps: EngineDeps): Promise<EventResult> {
  return evaluateParsed(parseEvent(raw), deps);
}
