/**
 * One lane for the server's signature checks. Node runs WebCrypto verifications on its thread
 * pool; a hundred started at once from one body (or a few bodies) would occupy every core and
 * starve the event loop that serves the relay. Through this lane at most `concurrency` checks run
 * at a time, whoever sent them, so uploads cost at most that share of the machine; bodies beyond
 * `maxWaiting` are refused with `busy` (503) instead of queueing without end.
 */

/** The lane is full: the caller should retry later. */
export class SignatureLaneBusy extends Error {
  constructor() {
    super('too many signature checks are waiting');
  }
}

export class SignatureLane {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Bodies admitted and not finished (running or waiting for the lane). */
  private admitted = 0;

  constructor(
    private readonly concurrency = 1,
    private readonly maxWaiting = 64,
  ) {}

  /**
   * Runs every check of one body through the lane, in order; resolves with their results.
   * Throws SignatureLaneBusy at once when too many bodies are already waiting.
   */
  async checkAll(checks: ReadonlyArray<() => Promise<boolean>>): Promise<boolean[]> {
    if (this.admitted >= this.maxWaiting) throw new SignatureLaneBusy();
    this.admitted++;
    try {
      const results: boolean[] = [];
      for (const check of checks) results.push(await this.run(check));
      return results;
    } finally {
      this.admitted--;
    }
  }

  private async run(check: () => Promise<boolean>): Promise<boolean> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await check();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
