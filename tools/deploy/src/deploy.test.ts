import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ReleaseRegistry, SqliteStorage } from '@parley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';
import { PATHS } from './settings.js';
import { unsupportedNode } from './node-version.js';

/** A checkout whose apps are "built": what the build step leaves behind, without running it. */
function fakeCheckout(dir: string, versions: { chat: string; call: string }, bytes = 'v1'): void {
  for (const remote of ['chat', 'call'] as const) {
    const dist = join(dir, 'apps', remote, 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'remoteEntry.js'), `var ${remote} = ${JSON.stringify(`${bytes} `.repeat(300))};`);
    writeFileSync(join(dist, 'mf-manifest.json'), JSON.stringify({ metaData: { name: remote, buildInfo: { buildVersion: versions[remote] } } }));
  }
}

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, '0');

describe('tools/deploy, run twice on one machine (a dry run under a temp root)', () => {
  let root: string;
  let checkout: string;
  let out: string[];
  let err: string[];
  const deploy = (...argv: string[]) => runCli([...argv, '--root', root, '--dry-run'], { out: (line) => out.push(line), err: (line) => err.push(line) }, checkout);
  const at = (path: string) => join(root, path);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'parley-deploy-root-'));
    checkout = mkdtempSync(join(tmpdir(), 'parley-deploy-checkout-'));
    out = [];
    err = [];
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(checkout, { recursive: true, force: true });
  });

  it('deploys: secrets made 0600, config follows the domain, the shell is built pinning the server keys, releases published', async () => {
    fakeCheckout(checkout, { chat: '1.0.0', call: '0.2.0' });
    expect(await deploy('--domain', 'parley.test', '--email', 'ops@parley.test'), err.join('\n')).toBe(0);

    for (const secret of [PATHS.turnSecretFile, `${PATHS.dataDir}/manifest-signing-keys.json`, `${PATHS.dataDir}/sfu-room-key`]) expect(mode(at(secret)), secret).toBe('0600');
    expect(mode(at(PATHS.envFile))).toBe('0640');
    expect(mode(at(PATHS.coturnConfig))).toBe('0640');
    expect(mode(at(PATHS.dataDir))).toBe('0750');
    expect(mode(at(PATHS.configDir))).toBe('0750');

    const env = readFileSync(at(PATHS.envFile), 'utf8');
    const turnSecret = readFileSync(at(PATHS.turnSecretFile), 'utf8').trim();
    expect(env).toContain('PARLEY_ENV=production');
    expect(env).toContain('PARLEY_SHELL_ORIGIN=https://parley.test');
    expect(env).toContain('PARLEY_CHAT_ORIGIN=https://chat.parley.test');
    expect(env).toContain('PARLEY_CALL_ORIGIN=https://call.parley.test');
    expect(env).toContain('PARLEY_TRUSTED_PROXIES=127.0.0.1,::1');
    expect(env).toContain(`PARLEY_TURN_SECRET=${turnSecret}`);
    expect(env).not.toMatch(/localhost/);
    expect(readFileSync(at(PATHS.coturnConfig), 'utf8')).toContain(`static-auth-secret=${turnSecret}`);
    expect(readFileSync(at(PATHS.caddyfile), 'utf8')).toMatch(/^chat\.parley\.test \{/m);

    // The build pins the public keys the server signs with: the ones now in its data folder.
    const pinned = JSON.parse(readFileSync(at(`${PATHS.dataDir}/manifest-public-keys.json`), 'utf8'));
    const build = out.find((line) => line.includes('nx run-many -t build'));
    expect(build).toContain(`PARLEY_MANIFEST_KEYS=${JSON.stringify(JSON.stringify(pinned))}`);
    expect(pinned).toHaveLength(2);
    expect(out).toContain('would run: systemctl restart parley');
  });

  it('upgrades in place when run again: data, manifest keys and secrets are kept, new builds are published', async () => {
    fakeCheckout(checkout, { chat: '1.0.0', call: '0.2.0' });
    expect(await deploy('--domain', 'parley.test'), err.join('\n')).toBe(0);
    const keep = [PATHS.turnSecretFile, `${PATHS.dataDir}/manifest-signing-keys.json`, `${PATHS.dataDir}/sfu-room-key`].map((path) => [path, readFileSync(at(path), 'utf8')]);
    // A conversation's worth of data the server wrote meanwhile.
    writeFileSync(at(`${PATHS.dataDir}/written-by-the-server`), 'queued ciphertext');

    fakeCheckout(checkout, { chat: '1.1.0', call: '0.2.0' }, 'v2');
    out = [];
    // No flags: the first run's settings are kept.
    expect(await deploy(), err.join('\n')).toBe(0);
    expect(out[0]).toBe('Upgrading Parley on parley.test in place (data and keys are kept)');
    for (const [path, content] of keep) expect(readFileSync(at(path!), 'utf8'), path).toBe(content);
    expect(readFileSync(at(`${PATHS.dataDir}/written-by-the-server`), 'utf8')).toBe('queued ciphertext');
    expect(mode(at(`${PATHS.dataDir}/manifest-signing-keys.json`))).toBe('0600');

    const storage = new SqliteStorage({ dataDir: at(PATHS.dataDir), clock: { now: () => Date.now() } });
    await storage.open();
    try {
      const registry = new ReleaseRegistry(storage, { dataDir: at(PATHS.dataDir), clock: { now: () => Date.now() } });
      expect((await registry.releases('chat')).map((release) => release.version)).toEqual(['1.0.0', '1.1.0']);
      expect((await registry.currentRules('chat')).rules.defaultVersion).toBe('1.1.0');
      // Same version, other bytes: releases are immutable, so it is published under a local name.
      expect((await registry.releases('call')).map((release) => release.version)).toEqual(['0.2.0', expect.stringMatching(/^0\.2\.0-local-[0-9a-f]{8}$/)]);
    } finally {
      await storage.close();
    }
  });

  it('refuses settings that would end up broken in a config file, before writing anything', async () => {
    expect(await deploy('--domain', 'parley.test; rm -rf /')).toBe(1);
    expect(err.join('\n')).toContain('--domain must be a host name');
    expect(await deploy('--domain', 'parley.test', '--chat-domain', 'parley.test')).toBe(1);
    expect(await deploy()).toBe(2);
    expect(spawnSync('ls', [root]).stdout.toString()).toBe('');
  });

  it('says how to get a supported Node instead of failing later', () => {
    expect(unsupportedNode('18.20.4')).toContain('Parley needs Node 20.19 or later');
    expect(unsupportedNode('20.18.0')).not.toBeNull();
    expect(unsupportedNode('20.19.0')).toBeNull();
    expect(unsupportedNode('22.12.0')).toBeNull();
  });
});
