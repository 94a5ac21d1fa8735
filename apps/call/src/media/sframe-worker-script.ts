/**
 * Where the bundler put the SFrame worker's code. Declared to the bundler as a worker constructor
 * (rsbuild.config.ts), so `new SFrameWorkerScript(new URL('./sframe-worker.ts', import.meta.url))`
 * bundles the worker entry and resolves its URL, without starting anything: the worker is started
 * only from checked bytes (worker-integrity.ts).
 */
export class SFrameWorkerScript {
  readonly url: string;

  constructor(url: URL, _options?: WorkerOptions) {
    this.url = url.href;
  }
}
