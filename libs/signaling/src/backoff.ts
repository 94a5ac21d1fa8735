/** How reconnect delays grow: exponential with a ceiling, spread by full jitter. */
export interface BackoffOptions {
  /** Ceiling of the first delay. */
  readonly initialMs: number;
  /** Growth of the ceiling per failed attempt. */
  readonly factor: number;
  /** Largest ceiling, however many attempts failed. */
  readonly maxMs: number;
  /** Uniform random number in [0, 1); injectable so tests get exact delays. */
  readonly random: () => number;
}

/** 500 ms, doubling, capped at 30 s, full jitter. */
export const DEFAULT_BACKOFF: BackoffOptions = {
  initialMs: 500,
  factor: 2,
  maxMs: 30_000,
  random: Math.random,
};

/** The ceiling before jitter for the zero-based `attempt`: min(max, initial × factor^attempt). */
export function backoffCeiling(attempt: number, options: BackoffOptions): number {
  return Math.min(options.maxMs, options.initialMs * options.factor ** attempt);
}

/**
 * Successive reconnect delays. Full jitter (a uniform delay between 0 and the ceiling) is used so
 * that many devices dropped by the same server restart do not come back in lockstep.
 */
export class Backoff {
  private attempt = 0;

  constructor(private readonly options: BackoffOptions = DEFAULT_BACKOFF) {}

  /** Failed attempts since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** The delay before the next attempt; each call counts one more failure. */
  next(): number {
    const ceiling = backoffCeiling(this.attempt, this.options);
    this.attempt += 1;
    return Math.round(this.options.random() * ceiling);
  }

  /** Back to the first delay, after a connection that reached `ready`. */
  reset(): void {
    this.attempt = 0;
  }
}
