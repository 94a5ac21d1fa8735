/**
 * The Content-Security-Policy forbids eval. Zod compiles object parsers with `new Function` when it
 * may, and finds out by trying once on its first parse: blocked, that try is still reported as a
 * policy violation. Jitless parsing never tries. Imported first, before anything parses.
 *
 * Set in the global where zod keeps its settings (zod/v4/core/core.js: `globalThis.__zod_globalConfig`,
 * there so that several copies of zod agree) rather than with zod's `config()`: importing that puts
 * ~5 kB (brotli) of zod on the first load, which otherwise has none (issue 20).
 * `zod-without-eval.test.ts` fails if a zod upgrade stops reading it.
 */
const holder = globalThis as { __zod_globalConfig?: { jitless?: boolean } };
holder.__zod_globalConfig ??= {};
holder.__zod_globalConfig.jitless = true;

export {};
