import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_VERSION } from '@parley/contracts';
import { ReleaseRegistry, SqliteStorage, evaluateManifest } from '@parley/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './cli.js';

function build(root: string, name: string, entry: string, version: string): string {
  const dir = join(root, `build-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'remoteEntry.js'), entry);
  writeFileSync(join(dir, 'mf-manifest.json'), JSON.stringify({ metaData: { name, buildInfo: { buildVersion: version } } }));
  return dir;
}

describe('release CLI', () => {
  let dataDir: string;
  let out: string[];
  let err: string[];
  const cli = (...argv: string[]) => runCli([...argv, '--data-dir', dataDir], { out: (l) => out.push(l), err: (l) => err.push(l), env: {} });

  /** What the server would answer this user now (same data folder, as a running server reads it). */
  async function callFor(userId: string, beta = false): Promise<string | undefined> {
    const storage = new SqliteStorage({ dataDir, clock: { now: () => 1 } });
    await storage.open();
    try {
      const registry = new ReleaseRegistry(storage, { dataDir, clock: { now: () => 1 } });
      const manifest = await evaluateManifest(
        { registry, originFor: () => 'http://localhost:4202' },
        { userId, beta, contractVersion: CONTRACT_VERSION, now: 1, ttlMs: 1000 },
      );
      return manifest.remotes.call?.version;
    } finally {
      await storage.close();
    }
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-release-cli-'));
    out = [];
    err = [];
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('publishes a build at the version it declares, then refuses other bytes under that version', async () => {
    expect(await cli('publish', 'call', '--dist', build(dataDir, 'call', 'v1', '1.0.0'))).toBe(0);
    expect(out.join('\n')).toContain('published call 1.0.0');
    expect(readFileSync(join(dataDir, 'releases', 'call', '1.0.0', 'remoteEntry.js'), 'utf8')).toBe('v1');
    expect(await cli('publish', 'call', '--dist', build(dataDir, 'call', 'other', '1.0.0'))).toBe(1);
    expect(err.join('\n')).toContain('refused (release-exists)');
  });

  it('takes a release from publish through beta, a percentage and everyone, and back with rollback and kill', async () => {
    await cli('publish', 'call', '--dist', build(dataDir, 'call', 'v1', '1.0.0'));
    await cli('publish', 'call', '--version', '2.0.0', '--dist', build(dataDir, 'call', 'v2', '1.0.0'), '--contracts', '^1.0.0');
    expect(await cli('default', 'call', '1.0.0')).toBe(0);
    expect(await callFor('anyone')).toBe('1.0.0');

    expect(await cli('promote', 'call', '2.0.0', '--beta')).toBe(0);
    expect(await callFor('tester', true)).toBe('2.0.0');
    expect(await callFor('anyone')).toBe('1.0.0');

    expect(await cli('promote', 'call', '2.0.0', '--percent', '100')).toBe(0);
    expect(await callFor('anyone')).toBe('2.0.0');
    expect(await cli('rollback', 'call')).toBe(0);
    expect(await callFor('anyone')).toBe('1.0.0');

    expect(await cli('promote', 'call', '2.0.0', '--users', 'qa-1,qa-2')).toBe(0);
    expect(await callFor('qa-2')).toBe('2.0.0');

    expect(await cli('kill', 'call')).toBe(0);
    expect(await callFor('qa-2')).toBeUndefined();
    expect(await cli('unkill', 'call')).toBe(0);
    expect(await callFor('qa-2')).toBe('2.0.0');

    out.length = 0;
    expect(await cli('status', 'call', '--user', 'qa-1')).toBe(0);
    const status = out.join('\n');
    expect(status).toContain('allowlist    qa-1 → 2.0.0, qa-2 → 2.0.0');
    expect(status).toContain(`user qa-1, shell contract ${CONTRACT_VERSION}: 2.0.0 via allowlist`);
    expect(status).toContain('kill switch off');
  });

  it('refuses to promote an unpublished version and explains usage mistakes', async () => {
    expect(await cli('promote', 'call', '9.9.9', '--beta')).toBe(1);
    expect(err.join('\n')).toContain('invalid-rules');
    expect(await cli('promote', 'call', '1.0.0')).toBe(2);
    expect(await cli('promote', 'video', '1.0.0', '--beta')).toBe(2);
    expect(await cli('frobnicate')).toBe(2);
  });

  it('prints the public keys to pin, generating the key pair (mode 0600) once, and rotates to the next key', async () => {
    expect(await cli('keys')).toBe(0);
    const first = JSON.parse(out[0]!) as Array<{ keyId: string }>;
    expect(first).toHaveLength(2);
    expect(statSync(join(dataDir, 'manifest-signing-keys.json')).mode & 0o777).toBe(0o600);
    await cli('keys');
    expect(JSON.parse(out[1]!)).toEqual(first);
    await cli('keys', '--rotate');
    const rotated = JSON.parse(out[2]!) as Array<{ keyId: string }>;
    expect(rotated[0]!.keyId).toBe(first[1]!.keyId);
    expect(rotated[1]!.keyId).not.toBe(first[0]!.keyId);
  });
});
