/**
 * One input item through the engine, whatever its form: an event (parsed and normalized here) or an
 * infrastructure-as-code document (already normalized by its reader). Throws InvalidEventError.
 */
import { parseRecord } from '../shared/events/cloudtrail-record';
import type { InvalidEventError } from '../shared/events/errors';
import {
  evaluateNormalized,
  evaluateParsed,
  evaluateRaw,
  type EngineDeps,
  type EventResult,
} from '../shared/engine/run';
import type { InputItem } from './inputs';

export type EvaluableItem = Exclude<InputItem, { readonly error: string }>;

export function evaluateItem(item: EvaluableItem, deps: EngineDeps): Promise<EventResult> {
  if ('iac' in item) {
    // A template's or plan's resources do not exist yet: there is nothing in AWS to describe.
    const { enricher: _notBeforeDeploy, ...offline } = deps;
    return evaluateNormalized(item.iac.normalized, offline);
  }
  if ('record' in item) return evaluateParsed(parseRecord(item.record), deps);
  return evaluateRaw(item.value, deps);
}

/**
 * What is wrong with an item, in the words of the user's file: a record's fields without the `detail.`
 * of the event it became, a task definition's without the `requestParameters.` of the call.
 */
export function invalidMessage(item: EvaluableItem, err: InvalidEventError): string {
  if (!('record' in item)) return `invalid event: ${err.message}`;
  const path = err.path;
  let own = path;
  if (path !== undefined)
    for (const prefix of [item.prefix, 'detail'])
      if (path === prefix || path.startsWith(`${prefix}.`)) {
        own = path.slice(prefix.length + 1);
        break;
      }
  return `${item.form}: invalid: ${own ? `${own}: ` : ''}${err.problem}`;
}
