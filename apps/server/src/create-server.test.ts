import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { type AddressInfo, type Server, createServer } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { CONTRACT_VERSION, RELAY_PATH } from '@parley/contracts';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, META_CREATED_AT, createParleyServer } from './create-server.js';
import { MIGRATIONS } from './storage/migrations.js';
import { SQLITE_FILE_NAME } from './storage/sqlite-storage.js';
import { TestIdentity } from './testing/test-keys.js';
import { TestApi, TestRelayClient, errorOf, registerAccount, tempFolder, testConfig } from './testing/test-support.js';

function listenOn(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
const portOf = (server: Server) => (server.address() as AddressInfo).port;
async function freePort(): Promise<number> {
  const server = await listenOn(0);
  const port = portOf(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('createParleyServer', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  const running: ParleyServer[] = [];

  const start = async (...args: Parameters<typeof createParleyServer>) => {
    const server = createParleyServer(...args);
    running.push(server);
    return { server, addresses: await server.start() };
  };

  beforeEach(async () => {
    folder = await tempFolder();
  });
  afterEach(async () => {
    for (const server of running.splice(0)) await server.stop();
    await folder.remove();
  });

  describe('data folder', () => {
    it('creates the folder, the database and its migrations on first start, and reopens them on the next', async () => {
      const dataDir = join(folder.path, 'fresh', 'data');
      const clock = new ManualClock(1_000);
      const first = await start(testConfig(dataDir, { clock }));
      expect(existsSync(join(dataDir, SQLITE_FILE_NAME))).toBe(true);
      expect(await first.server.storage.getMeta(META_CREATED_AT)).toBe('1000');
      await first.server.stop();

      clock.set(9_000);
      const second = await start(testConfig(dataDir, { clock }));
      expect(await second.server.storage.getMeta(META_CREATED_AT)).toBe('1000');
      expect(await second.server.storage.appliedMigrations()).toEqual(
        MIGRATIONS.map((m) => ({ version: m.version, name: m.name, appliedAt: 1_000 })),
      );
      await second.server.stop();

      const db = new Database(join(dataDir, SQLITE_FILE_NAME), { readonly: true });
      expect(db.prepare('SELECT count(*) AS n FROM schema_migrations').get()).toEqual({ n: MIGRATIONS.length });
      db.close();
    });
  });

  describe('API', () => {
    it('answers health with the version and the storage kind', async () => {
      const { addresses } = await start(testConfig(folder.path, { version: '9.8.7' }));
      const response = await fetch(`${addresses.api}/api/health`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: 'ok', version: '9.8.7', storage: 'sqlite' });
    });

    it('answers an unknown route with 404 in the error shape', async () => {
      const { addresses } = await start(testConfig(folder.path));
      const response = await fetch(`${addresses.api}/api/nothing?x=1`);
      expect(response.status).toBe(404);
      expect(await errorOf(response)).toEqual({ code: 'not_found', message: 'No route for GET /api/nothing' });
    });

    it('answers a body that is not JSON with 400 bad_json, without echoing it', async () => {
      const { addresses } = await start(testConfig(folder.path));
      const response = await fetch(`${addresses.api}/api/health`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"secret": ',
      });
      expect(response.status).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('bad_json');
      expect(error.message).not.toContain('secret');
    });

    it('answers an undecodable URL with 400 in the error shape', async () => {
      const { addresses } = await start(testConfig(folder.path));
      const response = await fetch(`${addresses.api}/api/%E0%A4%A`);
      expect(response.status).toBe(400);
      expect((await errorOf(response)).code).toMatch(/^bad_/);
    });

    it('fails to start when a port is taken, and leaves no listener or store open', async () => {
      const blocker = await listenOn(0);
      const apiPort = await freePort();
      const server = createParleyServer(
        testConfig(folder.path, { apiPort, apps: { chat: { port: portOf(blocker), distDir: join(folder.path, 'dist') } } }),
      );
      await expect(server.start()).rejects.toThrow(/EADDRINUSE/);
      await new Promise((resolve) => blocker.close(resolve));

      const apiAgain = await listenOn(apiPort);
      await new Promise((resolve) => apiAgain.close(resolve));
      await expect(server.storage.getMeta(META_CREATED_AT)).rejects.toThrow(/not open/);
    });
  });

  describe('app origins', () => {
    const apps = (root: string) => ({
      shell: { port: 0, distDir: join(root, 'shell') },
      chat: { port: 0, distDir: join(root, 'chat') },
      call: { port: 0, distDir: join(root, 'call-not-built') },
    });

    beforeEach(async () => {
      for (const app of ['shell', 'chat']) {
        await mkdir(join(folder.path, app), { recursive: true });
        await writeFile(join(folder.path, app, 'index.html'), `<title>${app}</title>`);
      }
      await writeFile(join(folder.path, 'chat', 'remoteEntry.js'), 'var chat;');
    });

    it('serves each app on its own origin', async () => {
      const { addresses } = await start(testConfig(folder.path, { apps: apps(folder.path) }));
      const origins = new Set([addresses.api, addresses.shell, addresses.chat, addresses.call]);
      expect(origins.size).toBe(4);

      const entry = await fetch(`${addresses.chat}/remoteEntry.js`);
      expect(entry.headers.get('access-control-allow-origin')).toBe('*');
      expect(entry.headers.get('cache-control')).toBe('no-cache');
      expect(await entry.text()).toBe('var chat;');

      const call = await fetch(`${addresses.call}/remoteEntry.js`);
      expect(call.status).toBe(503);
      expect(await call.text()).toContain('call is not built yet: run `npm run build`');
    });

    it('serves each published release under /releases/<version>/ on its remote origin: entry no-cache, hashed chunks immutable', async () => {
      await mkdir(join(folder.path, 'chat', 'static', 'js'), { recursive: true });
      await writeFile(join(folder.path, 'chat', 'static', 'js', 'main.0123abcd.js'), 'chunk;');
      await writeFile(join(folder.path, 'chat', 'mf-manifest.json'), JSON.stringify({ metaData: { name: 'chat', buildInfo: { buildVersion: '0.1.0' } } }));
      const server = createParleyServer(testConfig(folder.path, { apps: apps(folder.path), publishLocalBuilds: true }));
      running.push(server);
      const addresses = await server.start();

      const entry = await fetch(`${addresses.chat}/releases/0.1.0/remoteEntry.js`);
      expect(entry.status).toBe(200);
      expect(entry.headers.get('cache-control')).toBe('no-cache');
      expect(entry.headers.get('access-control-allow-origin')).toBe('*');
      expect(await entry.text()).toBe('var chat;');
      const chunk = await fetch(`${addresses.chat}/releases/0.1.0/static/js/main.0123abcd.js`);
      expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect((await fetch(`${addresses.chat}/releases/9.9.9/remoteEntry.js`)).status).toBe(404);
      expect((await fetch(`${addresses.chat}/releases/..%2f..%2fparley.sqlite`)).status).toBe(403);
      // No release of call was published (not built): its origin has none to serve.
      expect((await fetch(`${addresses.call}/releases/0.2.0/remoteEntry.js`)).status).toBe(404);

      // The embedded default made the local build the release everyone gets.
      const alice = await registerAccount(addresses.api, 'alice');
      const manifest = await fetch(`${addresses.api}/api/manifest?contract=${CONTRACT_VERSION}`, { headers: { authorization: `Bearer ${alice.token}` } });
      const remotes = JSON.parse(((await manifest.json()) as { manifest: string }).manifest).remotes;
      expect(remotes.chat.entry).toBe(`${addresses.chat!.replace('127.0.0.1', 'localhost')}/releases/0.1.0/remoteEntry.js`);
      expect(remotes.call).toBeUndefined();
    });

    it('answers the API on the shell origin too, and unknown API paths there with JSON, not the page', async () => {
      const { addresses } = await start(testConfig(folder.path, { apps: apps(folder.path) }));
      const health = await fetch(`${addresses.shell}/api/health`);
      expect(await health.json()).toMatchObject({ status: 'ok' });

      const alice = await registerAccount(addresses.shell!, 'alice');
      const manifest = await fetch(`${addresses.shell}/api/manifest?contract=${CONTRACT_VERSION}`, { headers: { authorization: `Bearer ${alice.token}` } });
      expect(manifest.status).toBe(200);

      const unknown = await fetch(`${addresses.shell}/api/unknown`);
      expect(unknown.status).toBe(404);
      expect((await errorOf(unknown)).code).toBe('not_found');

      const page = await fetch(`${addresses.shell}/settings/profile`);
      expect(await page.text()).toBe('<title>shell</title>');
    });

    it('relays between a socket on the API port and one on the shell origin: one hub', async () => {
      const { addresses } = await start(testConfig(folder.path, { apps: apps(folder.path) }));
      const api = new TestApi(addresses.api);
      const aliceDevice = await api.register(new TestIdentity().account('alice', 0));
      const bobDevice = await api.register(new TestIdentity().account('bob', 0));
      const alice = await TestRelayClient.signedIn(addresses.api, RELAY_PATH, aliceDevice.token);
      const bob = await TestRelayClient.signedIn(addresses.shell!, RELAY_PATH, bobDevice.token);
      await bob.skip('prekeys-low');
      alice.send({ t: 'send', id: 'x-1', to: bobDevice.userId, messages: [{ deviceId: 1, type: 3, ciphertext: 'AAAA' }] });
      expect(await bob.next()).toMatchObject({ t: 'deliver', messageId: 'x-1', ciphertext: 'AAAA' });
      alice.close();
      bob.close();
    });

    it('relays a group message (SenderKeyMessage, type 7) with its type, and refuses unknown types', async () => {
      const { addresses } = await start(testConfig(folder.path, { apps: apps(folder.path) }));
      const api = new TestApi(addresses.api);
      const aliceDevice = await api.register(new TestIdentity().account('alice', 0));
      const bobDevice = await api.register(new TestIdentity().account('bob', 0));
      const alice = await TestRelayClient.signedIn(addresses.api, RELAY_PATH, aliceDevice.token);
      const bob = await TestRelayClient.signedIn(addresses.api, RELAY_PATH, bobDevice.token);
      await bob.skip('prekeys-low');
      alice.send({ t: 'send', id: 'g-1', to: bobDevice.userId, messages: [{ deviceId: 1, type: 7, ciphertext: 'BBBB' }] });
      expect(await bob.next()).toMatchObject({ t: 'deliver', messageId: 'g-1', type: 7, ciphertext: 'BBBB' });
      expect(await alice.until('result')).toMatchObject({ ref: 'g-1', ok: true });
      alice.send({ t: 'send', id: 'g-2', to: bobDevice.userId, messages: [{ deviceId: 1, type: 5, ciphertext: 'BBBB' }] });
      expect(await alice.until('error')).toMatchObject({ code: 'bad_frame' });
      alice.close();
      bob.close();
    });
  });

  describe('logging', () => {
    it('never writes tokens or ciphertext to the log', async () => {
      const lines: string[] = [];
      const logDestination = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const { addresses } = await start(testConfig(folder.path, { logLevel: 'trace', logDestination }));
      const httpDevice = await registerAccount(addresses.api, 'token.user');
      const socketDevice = await registerAccount(addresses.api, 'socket.user');

      await fetch(`${addresses.api}/api/manifest?contract=${CONTRACT_VERSION}`, { headers: { authorization: `Bearer ${httpDevice.token}` } });
      const alice = await TestRelayClient.signedIn(addresses.api, RELAY_PATH, socketDevice.token);
      const ciphertext = Buffer.from('ciphertext-marker').toString('base64');
      alice.send({ t: 'send', id: 'm', to: 'bob', messages: [{ deviceId: 1, type: 2, ciphertext }] });
      await alice.next();
      alice.close();
      const log = lines.join('');
      // The log is not empty: the requests above were logged, just without their secrets.
      expect(log).toContain('relay connection authenticated');
      expect(log).not.toContain(httpDevice.token);
      expect(log).not.toContain(socketDevice.token);
      expect(log).not.toContain(ciphertext);
    });
  });
});
