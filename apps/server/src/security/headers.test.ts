import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AppName, ServerConfig } from '../config.js';
import { type Addresses, browserFacing } from '../create-server.js';
import { notificationWorkerSources } from '../http/security-headers.js';
import { serverPerTest } from '../testing/test-support.js';

type Origin = 'api' | AppName;
const ORIGINS: readonly Origin[] = ['api', 'shell', 'chat', 'call'];

describe('security headers on every origin', () => {
  const perTest = serverPerTest();

  /** A server with the three app origins, each serving a built folder with an index page and an entry. */
  async function start(overrides: Partial<ServerConfig> = {}): Promise<Required<Addresses>> {
    const apps: ServerConfig['apps'] = {};
    for (const name of ['shell', 'chat', 'call'] as const) {
      const distDir = join(perTest.folder, name);
      await mkdir(distDir, { recursive: true });
      await writeFile(join(distDir, 'index.html'), '<!doctype html><title>app</title>');
      await writeFile(join(distDir, 'remoteEntry.js'), 'var app = 1;');
      apps[name] = { port: 0, distDir };
    }
    return (await perTest.start({ dataDir: join(perTest.folder, 'data'), apps, ...overrides })) as Required<Addresses>;
  }

  /** The headers of a few answers of one origin: a page, a script, an error; the shell's API too. */
  async function answersOf(addresses: Required<Addresses>, origin: Origin): Promise<Headers[]> {
    const base = addresses[origin];
    const paths = origin === 'api' ? ['/api/health', '/api/manifest', '/nothing-here'] : origin === 'shell' ? ['/', '/remoteEntry.js', '/api/health', '/api/manifest'] : ['/', '/remoteEntry.js', '/no-such-file.js'];
    return Promise.all(paths.map(async (path) => (await fetch(`${base}${path}`)).headers));
  }

  const directive = (policy: string, name: string) => policy.split(';').map((part) => part.trim()).find((part) => part.startsWith(`${name} `)) ?? null;

  it('the shell page may run script only from the shell and the remote origins, connect only to them and the API, and is never framed', async () => {
    const addresses = await start();
    const [page] = await answersOf(addresses, 'shell');
    const policy = page!.get('content-security-policy')!;
    const [shell, chat, call, api] = [addresses.shell, addresses.chat, addresses.call, addresses.api].map(browserFacing);
    expect(directive(policy, 'default-src')).toBe("default-src 'none'");
    expect(directive(policy, 'script-src')).toBe(`script-src 'self' ${shell} ${chat} ${call}`);
    expect(directive(policy, 'connect-src')).toBe(`connect-src 'self' ${shell} ${shell!.replace('http', 'ws')} ${api} ${api!.replace('http', 'ws')} ${chat} ${call}`);
    // Blobs (the SFrame worker) and the notification service worker's exact URL under each loopback name: not 'self'.
    const port = new URL(shell!).port;
    expect(directive(policy, 'worker-src')).toBe(
      `worker-src blob: http://localhost:${port}/notifications-sw.js http://127.0.0.1:${port}/notifications-sw.js`,
    );
    expect(directive(policy, 'frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(directive(policy, 'object-src')).toBe("object-src 'none'");
    expect(directive(policy, 'base-uri')).toBe("base-uri 'none'");
  });

  it('a public shell origin names its notification worker once, by its exact URL', () => {
    expect(notificationWorkerSources('https://parley.example')).toEqual(['https://parley.example/notifications-sw.js']);
    expect(notificationWorkerSources(undefined)).toEqual([]);
  });

  it('every answer of every origin carries a CSP with no wildcard, inline or eval allowance, no-referrer and frame-ancestors none', async () => {
    const addresses = await start();
    for (const origin of ORIGINS) {
      for (const headers of await answersOf(addresses, origin)) {
        const policy = headers.get('content-security-policy');
        expect(policy, origin).not.toBeNull();
        expect(policy, origin).not.toMatch(/\*|'unsafe-inline'|'unsafe-eval'|'unsafe-hashes'|data:|'strict-dynamic'/);
        expect(directive(policy!, 'frame-ancestors'), origin).toBe("frame-ancestors 'none'");
        expect(headers.get('referrer-policy'), origin).toBe('no-referrer');
        expect(headers.get('x-content-type-options'), origin).toBe('nosniff');
      }
    }
  });

  it('camera, microphone and screen capture are the shell origin\'s alone', async () => {
    const addresses = await start();
    for (const origin of ORIGINS) {
      const expected = origin === 'shell' ? 'camera=(self), microphone=(self), display-capture=(self)' : 'camera=(), microphone=(), display-capture=()';
      for (const headers of await answersOf(addresses, origin)) expect(headers.get('permissions-policy'), origin).toBe(expected);
    }
  });

  it('the API origin allows nothing to load at all', async () => {
    const addresses = await start();
    for (const headers of await answersOf(addresses, 'api')) expect(headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
  });

  it('over plain HTTP there is no HSTS (it would pin a developer\'s localhost to HTTPS)', async () => {
    const addresses = await start();
    for (const origin of ORIGINS) for (const headers of await answersOf(addresses, origin)) expect(headers.get('strict-transport-security'), origin).toBeNull();
  });

  it('behind a TLS proxy the policy names the configured public origins, not the listening addresses, and every HTTPS origin sends HSTS', async () => {
    const publicOrigins = { shell: 'https://parley.example', api: 'https://api.parley.example' };
    const remoteOrigins = { chat: 'https://chat.parley.example', call: 'https://call.parley.example' };
    const addresses = await start({ publicOrigins, remoteOrigins, environment: 'production' });
    const [page] = await answersOf(addresses, 'shell');
    const policy = page!.get('content-security-policy')!;
    expect(directive(policy, 'script-src')).toBe("script-src 'self' https://parley.example https://chat.parley.example https://call.parley.example");
    expect(directive(policy, 'connect-src')).toBe(
      "connect-src 'self' https://parley.example wss://parley.example https://api.parley.example wss://api.parley.example https://chat.parley.example https://call.parley.example",
    );
    expect(policy).not.toContain('localhost');
    expect(policy).not.toContain('127.0.0.1');
    for (const origin of ORIGINS) {
      for (const headers of await answersOf(addresses, origin)) expect(headers.get('strict-transport-security'), origin).toBe('max-age=31536000');
    }
  });
});

describe('releases hosted elsewhere', () => {
  const perTest = serverPerTest();

  it('the shell page may load a release the operator registered on another origin (a CDN), and only once it is registered', async () => {
    const shellDist = join(perTest.folder, 'shell');
    await mkdir(shellDist, { recursive: true });
    await writeFile(join(shellDist, 'index.html'), '<!doctype html><title>shell</title>');
    const addresses = (await perTest.start({ dataDir: join(perTest.folder, 'data'), apps: { shell: { port: 0, distDir: shellDist } } })) as Required<Addresses>;
    const policy = async () => (await fetch(addresses.shell)).headers.get('content-security-policy')!;
    expect(await policy()).not.toContain('https://cdn.example');
    await perTest.server.registry.register({ remote: 'call', version: '9.0.0', entry: 'https://cdn.example/call/9.0.0/remoteEntry.js', integrity: `sha384-${'A'.repeat(64)}`, contracts: '^1.0.0' });
    await expect.poll(async () => (await policy()).match(/script-src [^;]*/)?.[0], { timeout: 3_000 }).toContain('https://cdn.example');
  });
});
