import { createHash } from 'node:crypto';

/** Stands in the app's code for the worker's sha384 until the worker's bytes are final. */
export const WORKER_INTEGRITY_PLACEHOLDER = `sha384-${'0'.repeat(56)}PLACEHLD`;

/**
 * Writes the sha384 of the worker chunk named `workerChunk` into the chunk that starts it, in place
 * of WORKER_INTEGRITY_PLACEHOLDER (apps/call/src/media/worker-integrity.ts says why). It runs before
 * the content hashes and Subresource Integrity are computed, so the chunk's name and its SRI in the
 * entry cover the hash written into it; the worker's own bytes must not change after that, which the
 * last stage checks (the build fails rather than ship a hash no browser would accept).
 *
 * @param {string} workerChunk
 * @returns {import('@rsbuild/core').Rspack.RspackPluginInstance}
 */
export function workerIntegrityPlugin(workerChunk) {
  return {
    apply(compiler) {
      const { Compilation, sources } = compiler.rspack;
      compiler.hooks.thisCompilation.tap('parley:worker-integrity', (compilation) => {
        const workerIntegrity = () => {
          const chunk = [...compilation.chunks].find((candidate) => candidate.name === workerChunk);
          const file = chunk ? [...chunk.files].find((name) => name.endsWith('.js')) : undefined;
          const asset = file ? compilation.getAsset(file) : undefined;
          if (!asset) throw new Error(`worker integrity: no chunk named ${workerChunk} was emitted`);
          return `sha384-${createHash('sha384').update(asset.source.buffer()).digest('base64')}`;
        };
        let integrity = '';
        compilation.hooks.processAssets.tap({ name: 'parley:worker-integrity', stage: Compilation.PROCESS_ASSETS_STAGE_OPTIMIZE_HASH - 1 }, () => {
          integrity = workerIntegrity();
          let written = 0;
          for (const { name, source } of compilation.getAssets()) {
            if (!name.endsWith('.js')) continue;
            const text = source.source().toString();
            if (!text.includes(WORKER_INTEGRITY_PLACEHOLDER)) continue;
            compilation.updateAsset(name, new sources.RawSource(text.replaceAll(WORKER_INTEGRITY_PLACEHOLDER, integrity)));
            written += 1;
          }
          if (written === 0) throw new Error(`worker integrity: no chunk carries the placeholder for ${workerChunk}`);
        });
        compilation.hooks.processAssets.tap({ name: 'parley:worker-integrity-check', stage: Compilation.PROCESS_ASSETS_STAGE_REPORT }, () => {
          if (workerIntegrity() !== integrity) throw new Error(`worker integrity: ${workerChunk} changed after its hash was written`);
        });
      });
    },
  };
}
