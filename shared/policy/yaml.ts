/**
 * The YAML syntax of a policy file, apart from the document's validation (document.ts) so that code that
 * reads a JSON policy never loads the parser.
 */
import { parse } from 'yaml';
import { PolicyError } from './errors';

export function parseYamlDocument(text: string, source?: string): unknown {
  try {
    return parse(text);
  } catch (err) {
    throw new PolicyError(`not valid YAML: ${(err as Error).message.split('\n')[0]}`, undefined, source);
  }
}
