/** A command line the CLI cannot run (unknown command, bad option, missing path): exit 3 with the usage. */
import { GuardrailError } from '../shared/base/errors';

export class CliUsageError extends GuardrailError {
  override readonly name = 'UsageError';
}
