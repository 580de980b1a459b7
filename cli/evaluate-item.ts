/**
 * One input item through the engine, whatever its form: an event (parsed and normalized here) or an
 * infrastructure-as-code document (already normalized by its reader). Throws InvalidEventError.
 */
import { evaluateNormalized, evaluateRaw, type EngineDeps, type EventResult } from '../shared/engine/run';
import type { InputItem } from './inputs';

export type EvaluableItem = Exclude<InputItem, { readonly error: string }>;

export function evaluateItem(item: EvaluableItem, deps: EngineDeps): Promise<EventResult> {
  return 'iac' in item ? evaluateNormalized(item.iac.normalized, deps) : evaluateRaw(item.value, deps);
}
