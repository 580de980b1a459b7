/**
 * The one logger interface of the library (Powertools Logger satisfies it; the CLI and tests pass their
 * own). Structured: a message and attributes, never an event body. `appendKeys`/`removeKeys` add
 * correlation ids to every later line (the pipeline's event id); loggers without them just skip that.
 */
export interface Logger {
  debug(message: string, ...extra: Record<string, unknown>[]): void;
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
  error(message: string, ...extra: Record<string, unknown>[]): void;
  appendKeys?(attributes: Record<string, unknown>): void;
  removeKeys?(keys: string[]): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
