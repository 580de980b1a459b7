/**
 * The resource tags the guardrail reads (docs/policy.md): `guardrail:exempt` lists exemptions,
 * `guardrail:protect=true` forbids remediation. Part of the contract, so every module can name them.
 */
export const EXEMPT_TAG = 'guardrail:exempt';
export const PROTECT_TAG = 'guardrail:protect';
