/**
 * Serves one built app folder from its own origin, the way a CDN would serve a separately
 * deployed app: remotes with CORS (the shell fetches `mf-manifest.json` cross-origin), entry and
 * manifest files revalidated on every load, content-hashed chunks cached forever, and the brotli or
 * gzip copy made at build or publish time (tools/mf-build/precompress.mjs) when the browser takes it:
 * nothing is compressed per request.
 */
import { createReadStream } from 'node:fs';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, basename, join, resolve, sep } from 'node:path';
import { brotliDecompress, gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { COMPRESSIBLE, isFreshCopy } from '../../../../tools/mf-build/precompress.mjs';
import { COPY_SUFFIX, type PrecompressedEncoding, acceptedEncodings } from './content-encoding.js';
import { closeGracefully, createFastifyApp } from './fastify-app.js';
import { sendError } from './http-errors.js';

/** How one app folder is served. */
export interface StaticFilesOptions {
  /** Used in messages, e.g. "chat is not built yet". */
  appName: string;
  /** The built folder (`apps/<app>/dist`); it may appear after the server started. */
  root: string;
  /** `Access-Control-Allow-Origin: *` and preflight answers: for remotes loaded by the shell. */
  cors: boolean;
  /** Answer unknown page paths with `index.html`, so client-side routes survive a reload. */
  spaFallback: boolean;
  /**
   * The remote's published releases (`<dataDir>/releases/<remote>`), served under `/releases/`: each
   * version under its own path prefix, so any number of releases live side by side on one origin.
   */
  releasesRoot?: string;
}

export interface StaticOriginOptions extends StaticFilesOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Reverse proxies whose forwarded addresses are believed (see fastify-app.ts). */
  trustedProxies?: readonly string[];
}

/** A listener serving one app folder; `app` is exposed so the shell's origin can add the API. */
export interface StaticOrigin {
  readonly app: FastifyInstance;
  /** Starts listening; resolves to the origin's base URL. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Files a browser must revalidate on every load: they name the current release's chunks. */
const ENTRY_FILES = new Set(['remoteEntry.js', 'mf-manifest.json', 'mf-stats.json', 'index.html']);
/** A build's content hash in a file name: `main.3f2a9c1d.js`. */
const CONTENT_HASH = /\.[0-9a-f]{8,}\./i;

export const NO_CACHE = 'no-cache';
export const IMMUTABLE = 'public, max-age=31536000, immutable';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

/** The `Cache-Control` value for a served file name. */
export function cacheControlFor(fileName: string): string {
  const name = basename(fileName);
  if (ENTRY_FILES.has(name)) return NO_CACHE;
  if (CONTENT_HASH.test(name)) return IMMUTABLE;
  // Unhashed and not an entry: its name does not change when its content does, so revalidate.
  return NO_CACHE;
}

/** The `Content-Type` for a file name; unknown types are sent as bytes, never sniffed. */
export function contentTypeFor(fileName: string): string {
  return CONTENT_TYPES[extname(fileName).toLowerCase()] ?? 'application/octet-stream';
}

/** Creates (without starting) an origin that serves one app folder. */
export function serveStatic(options: StaticOriginOptions): StaticOrigin {
  const app = createFastifyApp(options.logger, options.appName, options.trustedProxies);
  registerStaticFiles(app, options);
  return {
    app,
    async listen() {
      await app.listen({ host: options.host, port: options.port });
      return originUrl(app, options.host);
    },
    async close() {
      await closeGracefully(app, 5_000);
    },
  };
}

/** The base URL a listening Fastify instance answers on. */
export function originUrl(app: FastifyInstance, host: string): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return `http://${shownHost}:${address.port}`;
}

/** Registers the catch-all route that serves files from `options.root` on a Fastify instance. */
export function registerStaticFiles(app: FastifyInstance, options: StaticFilesOptions): void {
  const root = resolve(options.root);

  if (options.cors) {
    // On every answer, errors included: otherwise the shell sees an opaque CORS failure instead
    // of the 404 or 503 that explains it.
    app.addHook('onRequest', async (_request, reply) => {
      reply.header('access-control-allow-origin', '*');
    });
    app.options('/*', async (request, reply) => {
      reply
        .header('access-control-allow-methods', 'GET, HEAD, OPTIONS')
        .header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? '*')
        .header('access-control-max-age', '86400')
        .code(204)
        .send();
    });
  }

  // HEAD is handled here rather than by Fastify's automatic HEAD route, which would read the
  // whole file only to throw it away.
  app.route({ method: ['GET', 'HEAD'], url: '/*', exposeHeadRoute: false, handler: (request, reply) => serveFile(request, reply, root, '') });
  const releasesRoot = options.releasesRoot;
  if (releasesRoot !== undefined) {
    app.route({
      method: ['GET', 'HEAD'],
      url: '/releases/*',
      exposeHeadRoute: false,
      handler: (request, reply) => serveFile(request, reply, resolve(releasesRoot), '/releases'),
    });
  }

  async function serveFile(request: FastifyRequest, reply: FastifyReply, folder: string, prefix: string): Promise<FastifyReply> {
    const rootReal = await realpath(folder).catch(() => null);
    if (rootReal === null && prefix !== '') return sendError(reply, 404, 'not_found', `No release of ${options.appName} is published.`);
    if (rootReal === null) {
      return reply
        .code(503)
        .header('cache-control', 'no-store')
        .type('text/plain; charset=utf-8')
        .send(`${options.appName} is not built yet: run \`npm run build\`\n`);
    }

    const relative = requestedPath(request, prefix);
    if (relative === null) return sendError(reply, 400, 'bad_path', 'The path is not valid.');
    if (relative === 'forbidden') return sendError(reply, 403, 'path_forbidden', 'The path leaves the app folder.');

    const found = await findFile(rootReal, relative);
    if (found) return sendFile(request, reply, found, rootReal);

    // Only page-like paths (no extension) fall back: a missing `.js` answered with HTML would
    // surface as a baffling MIME-type error in the browser instead of a clear 404.
    if (options.spaFallback && prefix === '' && extname(relative) === '') {
      const index = await findFile(rootReal, 'index.html');
      if (index) return sendFile(request, reply, index, rootReal);
    }
    return sendError(reply, 404, 'not_found', `No file ${relative ? `/${relative}` : '/'} in ${options.appName}.`);
  }
}

/**
 * The request's path relative to the app folder, decoded; 'forbidden' when it tries to climb out
 * or reach a hidden file, null when it cannot be decoded.
 */
function requestedPath(request: FastifyRequest, prefix: string): string | 'forbidden' | null {
  const rawPath = (request.url.split('?')[0] ?? '/').slice(prefix.length);
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  // Checked on the decoded segments, so `%2e%2e` and `..%2f` are caught as well as `..`.
  const segments = decoded.split(/[/\\]/).filter((segment) => segment !== '' && segment !== '.');
  // Hidden files (`.env`, `.git`) are never part of a build's public output.
  if (segments.some((segment) => segment === '..' || segment.startsWith('.'))) return 'forbidden';
  return segments.join('/');
}

interface FoundFile {
  path: string;
  size: number;
  mtimeMs: number;
}

/** The file at `relative` under `rootReal` (or its `index.html` for a folder), if it is really inside. */
async function findFile(rootReal: string, relative: string): Promise<FoundFile | null> {
  let path = join(rootReal, relative);
  try {
    let info = await stat(path);
    if (info.isDirectory()) {
      path = join(path, 'index.html');
      info = await stat(path);
    }
    if (!info.isFile()) return null;
    // A symlink inside the build could point anywhere; serve only what really lives under root.
    const real = await realpath(path);
    if (real !== rootReal && !real.startsWith(rootReal + sep)) return null;
    return { path: real, size: info.size, mtimeMs: info.mtimeMs };
  } catch {
    return null;
  }
}

/** The encodings `file` has a precompressed copy in, best first. */
const OFFERED: readonly PrecompressedEncoding[] = ['br', 'gzip'];

/**
 * The precompressed copy of `file` the request gets, if any. A copy counts only while it holds the
 * file's bytes as they are now: a file changed after the build (or a release tampered with) is sent
 * as it is, never as the bytes it was compressed from.
 */
async function chosenCopy(request: FastifyRequest, file: FoundFile, rootReal: string): Promise<{ encoding: PrecompressedEncoding; file: FoundFile } | null> {
  for (const encoding of acceptedEncodings(request.headers['accept-encoding'], OFFERED)) {
    const copy = await findFile(rootReal, relativeTo(rootReal, file.path + COPY_SUFFIX[encoding]));
    if (copy && (await copyHoldsFile(copy, file, encoding))) return { encoding, file: copy };
  }
  return null;
}

const DECOMPRESS: Record<PrecompressedEncoding, (bytes: Buffer) => Promise<Buffer>> = { br: promisify(brotliDecompress), gzip: promisify(gunzip) };
/** Verdicts on copies older than their file, by both files' path, size and time: decided once. */
const olderCopyVerdicts = new Map<string, Promise<boolean>>();

/**
 * Whether `copy` is `file` compressed. A copy at least as new as its file is trusted (the build
 * writes it after the file and gives it the file's time). An older one is what a restore from a
 * build cache leaves (Nx writes the outputs back in no set order) as well as what a file changed
 * after the build leaves: told apart by decompressing it once and comparing bytes.
 */
function copyHoldsFile(copy: FoundFile, file: FoundFile, encoding: PrecompressedEncoding): Promise<boolean> {
  if (isFreshCopy(copy.mtimeMs, file.mtimeMs)) return Promise.resolve(true);
  const key = [file.path, file.size, file.mtimeMs, copy.size, copy.mtimeMs].join('\0');
  let verdict = olderCopyVerdicts.get(key);
  if (!verdict) {
    verdict = Promise.all([readFile(file.path), readFile(copy.path).then(DECOMPRESS[encoding])]).then(
      ([original, inflated]) => original.equals(inflated),
      () => false,
    );
    olderCopyVerdicts.set(key, verdict);
  }
  return verdict;
}

function relativeTo(rootReal: string, path: string): string {
  return path.slice(rootReal.length + 1);
}

async function sendFile(request: FastifyRequest, reply: FastifyReply, file: FoundFile, rootReal: string): Promise<FastifyReply> {
  const compressible = COMPRESSIBLE.test(file.path);
  const copy = compressible ? await chosenCopy(request, file, rootReal) : null;
  const sent = copy?.file ?? file;
  // One validator per representation: a cached gzip body must not be revalidated as the brotli one.
  const etag = `W/"${file.size.toString(16)}-${Math.floor(file.mtimeMs).toString(16)}${copy ? `-${copy.encoding}` : ''}"`;
  reply
    .header('cache-control', cacheControlFor(file.path))
    .header('etag', etag)
    .header('x-content-type-options', 'nosniff')
    .type(contentTypeFor(file.path));
  // Caches (the proxy's, a CDN's) must key compressible files by what the browser accepts.
  if (compressible) reply.header('vary', 'Accept-Encoding');
  if (copy) reply.header('content-encoding', copy.encoding);
  // no-cache means "revalidate": answer an unchanged file with 304 and no body.
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  reply.header('content-length', sent.size);
  if (request.method === 'HEAD') return reply.send();
  return reply.send(createReadStream(sent.path));
}
