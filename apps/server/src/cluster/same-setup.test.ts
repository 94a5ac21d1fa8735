import { ManualClock } from '@parley/clock/testing';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateManifestKeys, rotateManifestKeys } from '../releases/manifest-keys.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { tempFolderPerTest } from '../testing/test-support.js';
import { NodeSetupMismatch, assertSameSetupAsOtherNodes } from './same-setup.js';

const folder = tempFolderPerTest();
const log = pino({ level: 'silent' });

describe('the same setup on every node', () => {
  let storage: SqliteStorage | undefined;
  afterEach(async () => {
    await storage?.close();
  });
  async function database() {
    storage = new SqliteStorage({ dataDir: folder.path, clock: new ManualClock(1) });
    await storage.open();
    return storage;
  }
  const keysIn = (name: string) => loadOrCreateManifestKeys(`${folder.path}/${name}/keys.json`);
  const setup = (name: string, extra: Partial<Parameters<typeof assertSameSetupAsOtherNodes>[1]> = {}) => ({
    manifestKeys: keysIn(name),
    manifestKeyFile: `${folder.path}/${name}/keys.json`,
    releases: [],
    ...extra,
  });

  it('records the first node\'s key fingerprints and refuses a node with other keys, naming its file', async () => {
    const meta = await database();
    await assertSameSetupAsOtherNodes(meta, setup('a', { roomKey: { fingerprint: 'room-a', file: '/a/sfu-room-key' } }), log);
    // The same keys again (a restart, or a node given the same files) start.
    await assertSameSetupAsOtherNodes(meta, setup('a', { roomKey: { fingerprint: 'room-a', file: '/a/sfu-room-key' } }), log);
    await expect(assertSameSetupAsOtherNodes(meta, setup('b'), log)).rejects.toThrow(NodeSetupMismatch);
    await expect(assertSameSetupAsOtherNodes(meta, setup('b'), log)).rejects.toThrow(/b\/keys\.json/);
    await expect(assertSameSetupAsOtherNodes(meta, setup('a', { roomKey: { fingerprint: 'room-b', file: '/b/sfu-room-key' } }), log)).rejects.toThrow(
      /SFU room key \(\/b\/sfu-room-key\)/,
    );
    // A node without group calls has no room key to compare.
    await assertSameSetupAsOtherNodes(meta, setup('a'), log);
  });

  it('follows a key rotation: the rotated keys start, the old ones are refused from then on', async () => {
    const meta = await database();
    const before = setup('a');
    await assertSameSetupAsOtherNodes(meta, before, log);
    const rotated = rotateManifestKeys(before.manifestKeyFile);
    await assertSameSetupAsOtherNodes(meta, { ...before, manifestKeys: rotated }, log);
    await expect(assertSameSetupAsOtherNodes(meta, before, log)).rejects.toThrow(NodeSetupMismatch);
  });

  it('refuses a node lacking release files the database names, listing them', async () => {
    const meta = await database();
    const missing = setup('a', { releases: [{ remote: 'call', dir: '/data/releases/call', missing: ['1.0.0', '1.1.0'] }, { remote: 'chat', dir: '/data/releases/chat', missing: [] }] });
    await expect(assertSameSetupAsOtherNodes(meta, missing, log)).rejects.toThrow(/call 1\.0\.0, 1\.1\.0 \(in \/data\/releases\/call\)/);
  });
});
