/**
 * The base of every error the guardrail raises itself. Each subclass names itself with a string literal:
 * `name` is the stable code that logs, metrics and the CLI's exit codes match on, and it survives
 * minification (a class's own name does not).
 */
export abstract class GuardrailError extends Error {
  abstract override readonly name: string;
}
