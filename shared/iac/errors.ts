import { GuardrailError } from '../base/errors';

/** An infrastructure-as-code input that cannot be read: names the file, the line and the problem. */
export class IacInputError extends GuardrailError {
  override readonly name = 'IacInputError';

  constructor(
    readonly file: string,
    readonly problem: string,
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`);
  }
}
