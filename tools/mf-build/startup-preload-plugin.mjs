import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha384Integrity } from './runtime-fallback.mjs';

// Module Federation's shared-module wrappers, by the names rspack gives them (identifier or readable):
// "consume shared module (default) react@^19.3.1 (strict) (fallback: …)",
// "provide shared module (default) react@19.3.1 = …". The share key ends at the version's "@".
const CONSUME = /^consume(?: shared)? module \(([^)]*)\) (.+?)@/;
const PROVIDE = /^provide(?: shared)? module \(([^)]*)\) (.+?)@/;

/** `scope:key` of a shared-module wrapper whose name matches `pattern`, or null. */
function shareKey(module, pattern) {
  for (const name of [module.identifier(), module.readableIdentifier?.()]) {
    const match = typeof name === 'string' ? pattern.exec(name) : null;
    if (match) return `${match[1]}:${match[2]}`;
  }
  return null;
}

/**
 * The JS and CSS files the runtime loads when the entry runs `import(request)`, before that import
 * resolves: the chunks of its chunk group, and, transitively, the chunks of whatever provides each
 * shared module those chunks consume (Module Federation loads a chunk's shared modules before the
 * chunk counts as loaded; at start-up the host's own provider is the only one registered, and a
 * share it does not provide comes from the consumer's fallback). In the order found, each once.
 *
 * @param {import('@rspack/core').Compilation} compilation
 * @param {string} request the entry's dynamic import, as written (e.g. './bootstrap.js')
 * @returns {string[]}
 */
export function startupChunkFiles(compilation, request) {
  const groups = [...compilation.chunkGroups];
  const starts = groups.filter((group) => !group.isInitial() && group.origins.some((origin) => origin.request === request));
  if (starts.length !== 1) throw new Error(`startup preload: expected one chunk group for import('${request}'), found ${starts.length}`);
  const provided = new Map();
  const fallbacks = new Map();
  for (const group of groups) {
    for (const { module } of group.origins) {
      if (!module) continue;
      const provides = shareKey(module, PROVIDE);
      if (provides) provided.set(provides, group);
      const consumes = shareKey(module, CONSUME);
      if (consumes) fallbacks.set(module.identifier(), group);
    }
  }
  const files = [];
  const seenChunks = new Set();
  const seenShares = new Set();
  const queue = [...starts[0].chunks];
  while (queue.length > 0) {
    const chunk = queue.shift();
    if (seenChunks.has(chunk)) continue;
    seenChunks.add(chunk);
    for (const file of chunk.files) if (/\.(?:js|css)$/.test(file) && !files.includes(file)) files.push(file);
    for (const module of compilation.chunkGraph.getChunkModules(chunk)) {
      const key = shareKey(module, CONSUME);
      if (!key || seenShares.has(key)) continue;
      seenShares.add(key);
      const group = provided.get(key) ?? fallbacks.get(module.identifier());
      if (!group) throw new Error(`startup preload: nothing provides the shared module ${key}`);
      queue.push(...group.chunks);
    }
  }
  return files;
}

/** The `<link>` tags of an HTML page, each as its attributes. */
export function linkTags(html) {
  return [...html.matchAll(/<link\b([^>]*)>/gi)].map(([, attributes]) =>
    Object.fromEntries([...attributes.matchAll(/([\w-]+)(?:="([^"]*)")?/g)].map(([, name, value]) => [name.toLowerCase(), value ?? ''])),
  );
}

/**
 * Checks a built page's preload hints against the build: each names a file of the build, carries
 * that file's sha384 and `crossorigin="anonymous"` (the same request the bundler's chunk loader makes,
 * so the browser reuses the download), and its integrity is one the loader itself holds (it is in
 * the entry script). Returns what is wrong, one line each.
 *
 * @param {{ html: string; entry: string; readDist: (path: string) => Promise<Buffer>; assetPrefix?: string }} build
 * @returns {Promise<{ preloads: number; problems: string[] }>}
 */
export async function checkPreloads({ html, entry, readDist, assetPrefix = '/' }) {
  const problems = [];
  const preloads = linkTags(html).filter((link) => link.rel === 'preload');
  for (const link of preloads) {
    const href = link.href ?? '';
    if (!href.startsWith(assetPrefix)) {
      problems.push(`${href}: not under ${assetPrefix}`);
      continue;
    }
    const expected = sha384Integrity(await readDist(href.slice(assetPrefix.length)));
    if (link.integrity !== expected) problems.push(`${href}: integrity ${link.integrity ?? '(none)'}, the file's is ${expected}`);
    if (link.crossorigin !== 'anonymous') problems.push(`${href}: crossorigin ${link.crossorigin ?? '(none)'}, the chunk loader asks with anonymous`);
    if (link.as !== 'script' && link.as !== 'style') problems.push(`${href}: as=${link.as ?? '(none)'}`);
    if (!entry.includes(expected)) problems.push(`${href}: its integrity is not the one the entry's chunk loader holds`);
  }
  return { preloads: preloads.length, problems };
}

/**
 * Hints, in the page itself, the chunks every visit loads right after the entry (`import(request)`
 * and the shared modules it consumes: Preact, rxjs, the bus), so the browser fetches them
 * alongside the entry instead of after it has run (issue 20: one request-chain link less). Each
 * hint is `<link rel="preload" as="script">` (the chunks are classic scripts, loaded by the
 * bundler's JSONP loader with `crossOrigin = "anonymous"`), and Subresource Integrity adds to it the
 * sha384 the loader holds for that chunk, so the browser checks the preloaded bytes as it would the
 * loader's own request, and reuses them. After the build, the page is checked against the files
 * (checkPreloads): the build fails rather than ship a hint without its integrity.
 *
 * @param {{ request: string }} options
 * @returns {import('@rsbuild/core').RsbuildPlugin}
 */
export function pluginStartupPreload({ request }) {
  return {
    name: 'parley:startup-preload',
    setup(api) {
      api.modifyHTMLTags(({ headTags, bodyTags }, { compilation, assetPrefix, environment }) => {
        if (environment.config.mode !== 'production') return { headTags, bodyTags };
        const prefix = assetPrefix.endsWith('/') ? assetPrefix : `${assetPrefix}/`;
        // No integrity here: the SRI plugin adds it (and crossorigin) from the hashes it gave the loader.
        const links = startupChunkFiles(compilation, request).map((file) => ({
          tag: 'link',
          attrs: { rel: 'preload', as: file.endsWith('.css') ? 'style' : 'script', href: `${prefix}${file}` },
        }));
        const entry = headTags.findIndex((tag) => tag.tag === 'script' && typeof tag.attrs?.src === 'string');
        // The entry stays first in line: a deferred script is fetched at low priority, the hints at high,
        // and what the entry itself starts (a returning user's signed-in shell) would wait behind them.
        if (entry !== -1) headTags[entry].attrs = { ...headTags[entry].attrs, fetchpriority: 'high' };
        headTags.splice(entry === -1 ? headTags.length : entry + 1, 0, ...links);
        return { headTags, bodyTags };
      });
      api.onAfterBuild(async ({ environments }) => {
        for (const environment of Object.values(environments)) {
          if (environment.config.mode !== 'production') continue;
          const dist = environment.distPath;
          const readDist = (path) => readFile(join(dist, path));
          for (const page of Object.values(environment.htmlPaths)) {
            const html = (await readDist(page)).toString();
            const entries = [...html.matchAll(/<script\b[^>]*\bsrc="\/([^"]+)"/g)].map(([, src]) => src);
            const entry = (await Promise.all(entries.map(readDist))).join('\n');
            const { preloads, problems } = await checkPreloads({ html, entry, readDist });
            if (preloads === 0) problems.push(`${page}: no preload hint was written`);
            if (problems.length > 0) throw new Error(`startup preload: ${page}\n${problems.join('\n')}`);
            api.logger.info(`startup preload: ${preloads} chunks hinted in ${page}, each with the loader's integrity`);
          }
        }
      });
    },
  };
}
