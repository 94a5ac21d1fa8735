import { appendFile, mkdir, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMMUTABLE, NO_CACHE, type StaticOrigin, cacheControlFor, contentTypeFor, serveStatic } from './static-origin.js';
import { tempFolder } from '../testing/test-support.js';
import { precompressFolder } from '../../../../tools/mf-build/precompress.mjs';

const silent = pino({ level: 'silent' });

/** A GET with the path sent exactly as given (fetch would normalize `..` away). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('cacheControlFor', () => {
  it.each([
    ['remoteEntry.js', NO_CACHE],
    ['mf-manifest.json', NO_CACHE],
    ['mf-stats.json', NO_CACHE],
    ['index.html', NO_CACHE],
    ['static/js/async/__federation_expose_App.18e7132f55.js', IMMUTABLE],
    ['static/css/main.3f2a9c1d.css', IMMUTABLE],
    ['static/js/main.3f2a9c1.js', NO_CACHE],
    ['favicon.png', NO_CACHE],
  ])('%s → %s', (name, expected) => {
    expect(cacheControlFor(name)).toBe(expected);
  });
});

describe('contentTypeFor', () => {
  it.each([
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.html', 'text/html; charset=utf-8'],
    ['a.json', 'application/json; charset=utf-8'],
    ['a.js.map', 'application/json; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.PNG', 'image/png'],
    ['a.wasm', 'application/wasm'],
    ['a.bin', 'application/octet-stream'],
  ])('%s → %s', (name, expected) => {
    expect(contentTypeFor(name)).toBe(expected);
  });
});

describe('serveStatic', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let dist: string;
  const origins: StaticOrigin[] = [];

  const origin = (options: { cors: boolean; spaFallback: boolean; root?: string; appName?: string }) => {
    const created = serveStatic({ appName: 'chat', root: dist, host: '127.0.0.1', port: 0, logger: silent, ...options });
    origins.push(created);
    return created;
  };

  beforeEach(async () => {
    folder = await tempFolder();
    dist = join(folder.path, 'dist');
    await mkdir(join(dist, 'static', 'js'), { recursive: true });
    await writeFile(join(dist, 'index.html'), '<!doctype html><title>app</title>');
    await writeFile(join(dist, 'remoteEntry.js'), 'var chat;');
    await writeFile(join(dist, 'mf-manifest.json'), '{"name":"chat"}');
    await writeFile(join(dist, 'static', 'js', 'main.3f2a9c1d.js'), 'console.log(1)');
    await writeFile(join(dist, 'logo.svg'), '<svg/>');
    await writeFile(join(dist, '.env'), 'SECRET=1');
    await writeFile(join(folder.path, 'secret.txt'), 'outside the build');
    await symlink(join(folder.path, 'secret.txt'), join(dist, 'leak.txt'));
  });
  afterEach(async () => {
    for (const created of origins.splice(0)) await created.close();
    await folder.remove();
  });

  it('serves a remote with CORS on every answer, including errors', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    const found = await app.inject({ url: '/remoteEntry.js', headers: { origin: 'http://localhost:4200' } });
    const missing = await app.inject({ url: '/nope.js' });
    expect(found.statusCode).toBe(200);
    expect(found.headers['access-control-allow-origin']).toBe('*');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['access-control-allow-origin']).toBe('*');
    expect(missing.json()).toEqual({ error: { code: 'not_found', message: 'No file /nope.js in chat.' } });
  });

  it('answers a CORS preflight on a remote', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/mf-manifest.json',
      headers: { origin: 'http://localhost:4200', 'access-control-request-method': 'GET', 'access-control-request-headers': 'x-mf' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS');
    expect(response.headers['access-control-allow-headers']).toBe('x-mf');
  });

  it('sends no CORS header from the shell origin', async () => {
    const { app } = origin({ cors: false, spaFallback: true });
    const response = await app.inject({ url: '/index.html' });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('serves entry files no-cache and hashed chunks immutable, with their content types', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    const entry = await app.inject({ url: '/remoteEntry.js' });
    const manifest = await app.inject({ url: '/mf-manifest.json' });
    const chunk = await app.inject({ url: '/static/js/main.3f2a9c1d.js' });
    const svg = await app.inject({ url: '/logo.svg' });

    expect(entry.headers['cache-control']).toBe('no-cache');
    expect(entry.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(entry.body).toBe('var chat;');
    expect(manifest.headers['cache-control']).toBe('no-cache');
    expect(manifest.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(chunk.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(chunk.headers['content-length']).toBe(String('console.log(1)'.length));
    expect(svg.headers['content-type']).toBe('image/svg+xml');
  });

  it('answers a revalidation of an unchanged file with 304', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    const first = await app.inject({ url: '/remoteEntry.js' });
    const again = await app.inject({ url: '/remoteEntry.js', headers: { 'if-none-match': String(first.headers.etag) } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('answers HEAD with the headers and no body', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    const response = await app.inject({ method: 'HEAD', url: '/remoteEntry.js' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe('9');
    expect(response.body).toBe('');
  });

  it.each(['/../secret.txt', '/static/../../secret.txt', '/%2e%2e/secret.txt', '/static/..%2f..%2fsecret.txt', '/.env'])(
    'refuses %s over real HTTP',
    async (path) => {
      const created = origin({ cors: true, spaFallback: false });
      const base = await created.listen();
      const response = await rawGet(base, path);
      expect(response.status).toBe(403);
      expect(response.body).not.toContain('outside the build');
      expect(JSON.parse(response.body).error.code).toBe('path_forbidden');
    },
  );

  it('does not follow a symlink out of the build', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    const response = await app.inject({ url: '/leak.txt' });
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('outside the build');
  });

  it('answers 503 with a build hint while the app is not built', async () => {
    const { app } = origin({ cors: true, spaFallback: false, root: join(folder.path, 'not-built'), appName: 'call' });
    const response = await app.inject({ url: '/remoteEntry.js' });
    expect(response.statusCode).toBe(503);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    expect(response.body).toContain('call is not built yet: run `npm run build`');
  });

  it('falls back to index.html for unknown page paths on the shell, not for missing files', async () => {
    const { app } = origin({ cors: false, spaFallback: true, appName: 'shell' });
    const page = await app.inject({ url: '/conversations/42?tab=media' });
    const root = await app.inject({ url: '/' });
    const missingScript = await app.inject({ url: '/static/js/gone.12345678.js' });

    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.body).toContain('<title>app</title>');
    expect(root.body).toContain('<title>app</title>');
    expect(missingScript.statusCode).toBe(404);
  });

  it('does not fall back on a remote', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    expect((await app.inject({ url: '/conversations/42' })).statusCode).toBe(404);
  });

  it('answers a path that cannot be decoded with 400', async () => {
    const { app } = origin({ cors: true, spaFallback: false });
    const response = await app.inject({ url: '/%E0%A4%A' });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toMatch(/^bad_(path|url)$/);
  });
});

describe('precompressed builds', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let dist: string;
  let origin: StaticOrigin;
  // Big enough to be worth compressing, repetitive enough to shrink.
  const entry = `var chat = ${JSON.stringify('remote entry '.repeat(200))};`;
  const chunk = `console.log(${JSON.stringify('hashed chunk '.repeat(200))});`;

  beforeEach(async () => {
    folder = await tempFolder();
    dist = join(folder.path, 'dist');
    await mkdir(join(dist, 'static', 'js'), { recursive: true });
    await writeFile(join(dist, 'remoteEntry.js'), entry);
    await writeFile(join(dist, 'static', 'js', 'main.3f2a9c1d.js'), chunk);
    await writeFile(join(dist, 'tiny.js'), 'var a;');
    await writeFile(join(dist, 'logo.png'), Buffer.alloc(4096, 7));
    await precompressFolder(dist);
    origin = serveStatic({ appName: 'chat', root: dist, host: '127.0.0.1', port: 0, logger: silent, cors: true, spaFallback: false });
  });
  afterEach(async () => {
    await origin.close();
    await folder.remove();
  });

  it('makes a brotli and a gzip copy of each text file worth compressing, and none of images or tiny files', async () => {
    const files = (await readdir(dist, { recursive: true })).map(String).sort();
    expect(files).toEqual(
      expect.arrayContaining(['remoteEntry.js.br', 'remoteEntry.js.gz', 'static/js/main.3f2a9c1d.js.br', 'static/js/main.3f2a9c1d.js.gz']),
    );
    expect(files.filter((name) => /^(tiny\.js|logo\.png)\./.test(name))).toEqual([]);
  });

  it('compresses once: a second run over the same build writes nothing', async () => {
    const before = (await stat(join(dist, 'remoteEntry.js.br'))).mtimeMs;
    expect((await precompressFolder(dist)).written).toBe(0);
    expect((await stat(join(dist, 'remoteEntry.js.br'))).mtimeMs).toBe(before);
  });

  it('serves the brotli copy to a browser that takes it, with the release cache headers and Vary', async () => {
    const answer = await origin.app.inject({ url: '/static/js/main.3f2a9c1d.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers.vary).toBe('Accept-Encoding');
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(answer.headers['content-length'])).toBeLessThan(chunk.length / 4);
    expect(brotliDecompressSync(answer.rawPayload).toString()).toBe(chunk);

    const entryAnswer = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'br' } });
    expect(entryAnswer.headers['cache-control']).toBe('no-cache');
    expect(entryAnswer.headers['content-encoding']).toBe('br');
  });

  it('serves gzip to a client without brotli, and the plain bytes to one that takes neither', async () => {
    const gzipped = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(entry);

    const plain = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body).toBe(entry);
  });

  it('gives each representation its own validator, so a revalidation never swaps encodings', async () => {
    const br = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'br' } });
    const gzip = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'gzip' } });
    expect(br.headers.etag).not.toBe(gzip.headers.etag);
    const again = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) } });
    expect(again.statusCode).toBe(304);
    const otherEncoding = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) } });
    expect(otherEncoding.statusCode).toBe(200);
  });

  it('answers HEAD with the length of the copy it would send', async () => {
    const head = await origin.app.inject({ method: 'HEAD', url: '/remoteEntry.js', headers: { 'accept-encoding': 'br' } });
    expect(head.headers['content-length']).toBe(String((await stat(join(dist, 'remoteEntry.js.br'))).size));
    expect(head.body).toBe('');
  });

  it('falls back to gzip when the brotli copy is missing, and to the plain bytes when both are', async () => {
    await rm(join(dist, 'remoteEntry.js.br'));
    const gzipped = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.rawPayload).toString()).toBe(entry);

    await rm(join(dist, 'remoteEntry.js.gz'));
    const plain = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'gzip, deflate, br, zstd' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body).toBe(entry);
  });

  it('sends the plain bytes when every encoding it has is refused', async () => {
    const plain = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'br;q=0, gzip;q=0' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(entry);
    const none = await origin.app.inject({ url: '/remoteEntry.js' });
    expect(none.headers['content-encoding']).toBeUndefined();
    expect(none.body).toBe(entry);
  });

  it('states the length of the bytes it sends in each encoding', async () => {
    for (const acceptEncoding of ['br', 'gzip', 'identity']) {
      const answer = await origin.app.inject({ url: '/static/js/main.3f2a9c1d.js', headers: { 'accept-encoding': acceptEncoding } });
      expect(Number(answer.headers['content-length'])).toBe(answer.rawPayload.length);
    }
  });

  it('never encodes twice: a copy asked for by name is sent as the bytes it is, and no copy of a copy is made', async () => {
    const copy = await origin.app.inject({ url: '/remoteEntry.js.br', headers: { 'accept-encoding': 'br, gzip' } });
    expect(copy.statusCode).toBe(200);
    expect(copy.headers['content-encoding']).toBeUndefined();
    expect(brotliDecompressSync(copy.rawPayload).toString()).toBe(entry);

    await precompressFolder(dist);
    const files = (await readdir(dist, { recursive: true })).map(String);
    expect(files.filter((name) => /\.(br|gz)\.(br|gz)$/.test(name))).toEqual([]);
  });

  it('sends a file changed after it was compressed as it is now, not the stale copy', async () => {
    await appendFile(join(dist, 'remoteEntry.js'), '\n;globalThis.changed = true;\n');
    const later = new Date(Date.now() + 5_000);
    await utimes(join(dist, 'remoteEntry.js'), later, later);
    const answer = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(answer.headers['content-encoding']).toBeUndefined();
    expect(answer.body).toContain('globalThis.changed = true');
  });

  it('serves a copy older than its file when it holds the same bytes, as a restore from a build cache leaves it', async () => {
    const later = new Date(Date.now() + 5_000);
    await utimes(join(dist, 'remoteEntry.js'), later, later);
    const answer = await origin.app.inject({ url: '/remoteEntry.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(answer.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(answer.rawPayload).toString()).toBe(entry);
  });
});
