/**
 * Brotli and gzip copies of a build's text files, made once — when a build is made or a release is
 * published — so the server never compresses per request: `<file>.br` and `<file>.gz` beside each
 * file, at the strongest settings (a build is compressed once and downloaded many times). The
 * server serves a copy only while it is at least as new as its file (apps/server/src/http/static-origin.ts),
 * so a file changed after compression falls back to its plain bytes instead of serving stale ones.
 */
import { readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** The encodings a build is precompressed in, best first, with the suffix of their copies. */
export const PRECOMPRESSED = /** @type {const} */ ([
  { encoding: 'br', suffix: '.br' },
  { encoding: 'gzip', suffix: '.gz' },
]);

/** Text formats worth compressing; images and fonts are compressed already. */
export const COMPRESSIBLE = /\.(?:js|mjs|cjs|css|html|json|map|svg|txt|wasm)$/i;

/** Below this, headers cost more than compression saves. */
const MIN_BYTES = 512;

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** @param {Buffer} bytes @param {'br' | 'gzip'} encoding */
function compress(bytes, encoding) {
  if (encoding === 'br') {
    return brotli(bytes, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
      },
    });
  }
  return gzipAsync(bytes, { level: constants.Z_BEST_COMPRESSION });
}

/**
 * Whether a copy modified at `copyMtimeMs` still stands for a file modified at `fileMtimeMs`: at least
 * as new, give or take the millisecond that setting a file time through a float loses.
 */
export function isFreshCopy(copyMtimeMs, fileMtimeMs) {
  return copyMtimeMs >= fileMtimeMs - 1;
}

/** Whether `name` is a precompressed copy (`x.js.br`) rather than a file of the build. */
export function isPrecompressedCopy(name) {
  return PRECOMPRESSED.some(({ suffix }) => name.endsWith(suffix)) && COMPRESSIBLE.test(name.replace(/\.(br|gz)$/, ''));
}

/** Every file under `dir`, relative paths. */
async function filesUnder(dir, sub = '') {
  const out = [];
  for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
    const rel = sub ? `${sub}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/**
 * Writes the missing or outdated `.br`/`.gz` copies of every compressible file under `dir`; a copy
 * not smaller than its file is not kept. Returns what was written, for build logs.
 *
 * @param {string} dir
 * @returns {Promise<{ files: number; written: number; bytes: number; br: number; gzip: number }>}
 */
export async function precompressFolder(dir) {
  const summary = { files: 0, written: 0, bytes: 0, br: 0, gzip: 0 };
  const files = (await filesUnder(dir)).filter((rel) => COMPRESSIBLE.test(rel) && !isPrecompressedCopy(rel));
  await Promise.all(
    files.map(async (rel) => {
      const path = join(dir, rel);
      const source = await stat(path);
      if (source.size < MIN_BYTES) return;
      summary.files += 1;
      summary.bytes += source.size;
      let bytes = null;
      for (const { encoding, suffix } of PRECOMPRESSED) {
        const copy = path + suffix;
        const existing = await stat(copy).catch(() => null);
        if (existing && isFreshCopy(existing.mtimeMs, source.mtimeMs)) {
          summary[encoding] += existing.size;
          continue;
        }
        bytes ??= await readFile(path);
        const compressed = await compress(bytes, encoding);
        if (compressed.length >= bytes.length) {
          await rm(copy, { force: true });
          continue;
        }
        // Written aside and renamed: a server never serves half a copy.
        const staging = `${copy}.tmp-${process.pid}`;
        await writeFile(staging, compressed);
        // The copy carries its file's time, so "at least as new" holds exactly, copied or not.
        await utimes(staging, source.atime, source.mtime);
        await rename(staging, copy);
        summary[encoding] += compressed.length;
        summary.written += 1;
      }
    }),
  );
  return summary;
}
