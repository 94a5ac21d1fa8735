/** The encodings a build is precompressed in, best first, with the suffix of their copies. */
export const PRECOMPRESSED: readonly [{ readonly encoding: 'br'; readonly suffix: '.br' }, { readonly encoding: 'gzip'; readonly suffix: '.gz' }];
/** Text formats worth compressing; images and fonts are compressed already. */
export const COMPRESSIBLE: RegExp;
/** Whether `name` is a precompressed copy (`x.js.br`) rather than a file of the build. */
export function isPrecompressedCopy(name: string): boolean;
/** Writes the missing or outdated `.br`/`.gz` copies of every compressible file under `dir`. */
export function precompressFolder(dir: string): Promise<{ files: number; written: number; bytes: number; br: number; gzip: number }>;
/** Whether a copy modified at `copyMtimeMs` still stands for a file modified at `fileMtimeMs`. */
export function isFreshCopy(copyMtimeMs: number, fileMtimeMs: number): boolean;
