/**
 * What each built app weighs as served: its JavaScript and CSS, plain, gzip and brotli (the copies
 * the build wrote beside each file, tools/mf-build/precompress.mjs, or made here when a file has
 * none), and the same for each shared singleton the shell provides (its mf-manifest.json).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** A file or a group of files: plain bytes and the two compressed sizes. */
export interface Encoded {
  raw: number;
  gzip: number;
  br: number;
}

export const NOTHING: Encoded = { raw: 0, gzip: 0, br: 0 };

/** The sum of two sizes. */
export const plus = (a: Encoded, b: Encoded): Encoded => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip, br: a.br + b.br });

const CODE = /\.(?:js|css)$/;

/** The size of `file` as served in each encoding: its precompressed copies when the build made them. */
export function encodedSize(file: string): Encoded {
  const raw = statSync(file).size;
  let plain: Buffer | null = null;
  const read = () => (plain ??= readFileSync(file));
  const copy = (suffix: string, make: () => Buffer) => (existsSync(file + suffix) ? statSync(file + suffix).size : Math.min(raw, make().length));
  return {
    raw,
    gzip: copy('.gz', () => gzipSync(read(), { level: 9 })),
    br: copy('.br', () => brotliCompressSync(read(), { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })),
  };
}

/** Every JS and CSS file under `dir`, relative to it, but those under the folders `skip` names. */
function codeFiles(dir: string, skip: readonly string[], sub = ''): string[] {
  return readdirSync(join(dir, sub)).flatMap((name) => {
    const rel = sub ? `${sub}/${name}` : name;
    if (statSync(join(dir, rel)).isDirectory()) return skip.includes(rel) ? [] : codeFiles(dir, skip, rel);
    return CODE.test(name) ? [rel] : [];
  });
}

/** All of a built app's JS and CSS, as served, but what lies under the folders `skip` names (relative to `dist`). */
export function appSize(dist: string, skip: readonly string[] = []): Encoded {
  return codeFiles(dist, skip).reduce((sum, rel) => plus(sum, encodedSize(join(dist, rel))), NOTHING);
}

/** One shared dependency a build provides: its name, version and the files it is made of. */
export interface SharedSize extends Encoded {
  name: string;
  version: string;
  singleton: boolean;
  files: number;
}

interface ManifestShared {
  name: string;
  version: string;
  singleton?: boolean;
  assets: { js: { sync: string[]; async: string[] }; css: { sync: string[]; async: string[] } };
}

/**
 * Each shared dependency in a build's mf-manifest.json, by the files that carry it. A file that
 * carries two of them counts for both (the bundler may put two small packages in one chunk).
 */
export function sharedSizes(dist: string): SharedSize[] {
  const manifest = JSON.parse(readFileSync(join(dist, 'mf-manifest.json'), 'utf8')) as { shared?: ManifestShared[] };
  return (manifest.shared ?? []).map((shared) => {
    const files = [...new Set([...shared.assets.js.sync, ...shared.assets.js.async, ...shared.assets.css.sync, ...shared.assets.css.async])];
    const size = files.reduce((sum, rel) => plus(sum, encodedSize(join(dist, rel))), NOTHING);
    return { name: shared.name, version: shared.version, singleton: shared.singleton === true, files: files.length, ...size };
  });
}
