/** One event through the engine: parse -> normalize -> enrich (optional) -> evaluate -> windows. */
import type { Incomplete, NormalizedEvent } from '../events/normalize';
import { normalize } from '../events/normalize';
import { parseEvent, type ParsedEvent } from '../events/parse';
import type { EventRef, Finding } from '../model/finding';
import type { Policy } from '../policy/types';
import { enrichEvent, type Enricher, type EnrichmentFailure } from './enrich';
import { skippedWithoutEnrichment } from './skipped-checks';
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
  /** The event could not be evaluated (wholly or partly): why. */
  readonly incomplete?: Incomplete;
  /** Without enrichment: the event cannot be checked at all until enrichment describes what it lacks. */
  readonly needsEnrichment?: true;
  /** Without enrichment: the checks skipped on this event (it was evaluated otherwise). */
  readonly skipped?: readonly string[];
  /** With enrichment: the reads that failed (the event was not fully evaluated). */
  readonly enrichmentFailures?: readonly Omit<EnrichmentFailure, 'cause'>[];
}

/**
 * The result and the event as normalized and enriched (what it showed: the lifecycle resolves findings
 * it shows fixed). Kept apart from the result, which is safe to serialize: resources carry raw values
 * (environment variables) that must never reach a log or a message.
 */
export function evaluateWithEvent(
  parsed: ParsedEvent,
  deps: EngineDeps,
): Promise<{ readonly result: EventResult; readonly normalized: NormalizedEvent }> {
  return evaluateNormalizedWithEvent(normalize(parsed), deps);
}

/**
 * An already normalized event (infrastructure-as-code inputs: shared/iac build it from a template):
 * enrich (optional) -> evaluate -> windows.
 */
export function evaluateNormalized(n: NormalizedEvent, deps: EngineDeps): Promise<EventResult> {
  return evaluateNormalizedWithEvent(n, deps).then((r) => r.result);
}

async function evaluateNormalizedWithEvent(
  normalized: NormalizedEvent,
  deps: EngineDeps,
): Promise<{ readonly result: EventResult; readonly normalized: NormalizedEvent }> {
  let n = normalized;
  if (deps.enricher) n = await enrichEvent(n, deps.enricher);
  const { findings, windowed } = evaluate(n, { policy: deps.policy, now: deps.now?.() ?? new Date() });
  if (windowed.length) findings.push(...(await countWindows(windowed, deps.counter, deps.policy)));
  const skipped = deps.enricher ? [] : skippedWithoutEnrichment(n);
  const failures = n.enrichmentFailures?.map(({ cause: _sdkError, ...f }) => f);
  return {
    result: {
      event: n.event,
      findings,
      ...(n.incomplete ? { incomplete: n.incomplete } : {}),
      ...(!deps.enricher && n.incomplete?.taskDefinition ? { needsEnrichment: true as const } : {}),
      ...(skipped.length ? { skipped } : {}),
      ...(failures?.length ? { enrichmentFailures: failures } : {}),
    },
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
