/**
 * The official SARIF 2.1.0 JSON Schema (test/fixtures/sarif/, README there names the source) as a validator:
 * the problems of a log, empty when it is valid. The schema is draft-04 (`id`, not `$id`): ajv 6 validates
 * it with the draft-04 meta-schema it ships.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { REPO_ROOT } from './fixtures';

const read = (p: string): object => JSON.parse(readFileSync(join(REPO_ROOT, p), 'utf8')) as object;

const ajv = new Ajv({ allErrors: true, schemaId: 'id', logger: false });
ajv.addMetaSchema(read('node_modules/ajv/lib/refs/json-schema-draft-04.json'));
const validate = ajv.compile(read('test/fixtures/sarif/sarif-schema-2.1.0.json'));

export function sarifProblems(log: unknown): string[] {
  return validate(log) ? [] : (validate.errors ?? []).map((e) => `${e.dataPath} ${e.message}`);
}
