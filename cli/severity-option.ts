/** `--fail-on SEVERITY`, read case-insensitively (`CRITICAL` as printed in the table, `critical`). */
import { SEVERITIES, type Severity } from '../shared/model/finding';

/** The severity named by `given` whatever its case, or undefined when it names none. */
export function parseSeverityOption(given: string): Severity | undefined {
  const lower = given.toLowerCase();
  return SEVERITIES.find((s) => s === lower);
}

export const SEVERITY_CHOICES = SEVERITIES.join(', ');
