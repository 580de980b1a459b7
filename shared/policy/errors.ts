import { GuardrailError } from '../base/errors';

export class PolicyError extends GuardrailError {
  override readonly name = 'PolicyError';
  /** The offending key, dot-separated (e.g. `rules.td-privileged.mode`). */
  readonly key: string | undefined;
  constructor(problem: string, key?: string, source?: string) {
    super(`${source ? `${source}: ` : ''}${key ? `${key}: ` : ''}${problem}`);
    this.key = key;
  }
}
