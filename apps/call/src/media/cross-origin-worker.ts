/**
 * A `Worker` that also starts from another origin. The call app is served from its own origin while the page belongs
 * to the shell's, and a page may not start a worker from another origin: the bundler's worker chunk
 * is therefore loaded by a same-origin blob worker with `importScripts` (allowed cross-origin, like
 * a script tag). `CrossOriginWorker` is declared to the bundler as a worker constructor
 * (rsbuild.config.ts, as imported from this module), so `new CrossOriginWorker(new URL(...))` still
 * bundles the worker entry.
 */
export class CrossOriginWorker extends Worker {
  constructor(url: URL, options?: WorkerOptions) {
    if (url.origin === globalThis.location?.origin) {
      super(url, options);
      return;
    }
    const bootstrap = new Blob([`importScripts(${JSON.stringify(url.href)});\n`], { type: 'text/javascript' });
    const blobUrl = URL.createObjectURL(bootstrap);
    super(blobUrl, { ...options, type: 'classic' });
    // The worker has fetched its script once it runs; revoking later is harmless.
    setTimeout(() => URL.revokeObjectURL(blobUrl), 60_000);
  }
}
