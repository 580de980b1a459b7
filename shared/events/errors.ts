/** Typed errors for bad input: each names the problem and where it is, never the offending value. */

export class InvalidEventError extends Error {
  override readonly name = 'InvalidEventError';
  /** Dot path of the offending field, e.g. `detail.requestParameters.containerDefinitions[0].privileged`. */
  readonly path: string | undefined;
  readonly problem: string;

  constructor(problem: string, path?: string) {
    super(path ? `${path}: ${problem}` : problem);
    this.problem = problem;
    this.path = path;
  }
}
