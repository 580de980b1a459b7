/**
 * The policy file: one YAML document, validated by document.ts (re-exported here). The Lambdas import
 * document.ts and its loadPolicyFileLazily instead, so that the YAML parser stays out of their cold start.
 */
import { policyFromDocument, readPolicyText } from './document';
import type { Policy } from './types';
import { parseYamlDocument } from './yaml';

export * from './document';

export function parsePolicy(text: string, source?: string): Policy {
  return policyFromDocument(parseYamlDocument(text, source), source);
}

export function loadPolicyFile(path: string): Policy {
  return parsePolicy(readPolicyText(path), path);
}
