/**
 * Backup while the server runs and restore into a fresh data folder (README "Backup and restore"):
 * a backup taken in the middle of a conversation restores to a server that starts and delivers
 * what was queued at that moment, signing with the same manifest keys.
 */
import { cpSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RELAY_PATH } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BackupError, backupDataDir } from './backup.js';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestApi, TestRelayClient, registerAccount, tempFolder, testConfig } from '../testing/test-support.js';

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('backup and restore of a data folder', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  const servers: ParleyServer[] = [];
  const clients: TestRelayClient[] = [];

  beforeEach(async () => {
    folder = await tempFolder();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    for (const server of servers.splice(0)) await server.stop();
    await folder.remove();
  });

  const start = async (dataDir: string) => {
    const server = createParleyServer(testConfig(dataDir));
    servers.push(server);
    return { server, api: (await server.start()).api };
  };

  /** Alice sends `text` to Bob's device 1; resolves once the server confirmed storing it. */
  const send = async (sender: TestRelayClient, to: string, id: string) => {
    sender.send({ t: 'send', id, to, messages: [{ deviceId: 1, type: 2, ciphertext: Buffer.from(id).toString('base64') }] });
    const result = await sender.until('result');
    expect(result).toMatchObject({ ref: id, ok: true });
  };

  it('a backup taken mid-conversation restores into a fresh folder: the server starts and delivers what was queued', async () => {
    const live = join(folder.path, 'live');
    const { api } = await start(live);
    const alice = await registerAccount(api, 'alice');
    const bob = await registerAccount(api, 'bob');
    const sender = await TestRelayClient.signedIn(api, RELAY_PATH, alice.token);
    clients.push(sender);
    await sender.settle();
    // Bob is offline: these wait in his queue.
    for (const id of ['before-1', 'before-2', 'before-3']) await send(sender, bob.userId, id);

    const backup = join(folder.path, 'backup');
    const summary = await backupDataDir(live, backup);
    expect(summary.files).toEqual(expect.arrayContaining(['parley.sqlite', 'manifest-signing-keys.json', 'manifest-public-keys.json']));
    // The conversation goes on after the backup; that part is not in it.
    await send(sender, bob.userId, 'after-backup');

    // Restore: the backup copied into an empty folder, a server started on it.
    const restored = join(folder.path, 'restored');
    cpSync(backup, restored, { recursive: true, preserveTimestamps: true });
    const { api: restoredApi } = await start(restored);
    const receiver = await TestRelayClient.signedIn(restoredApi, RELAY_PATH, bob.token);
    clients.push(receiver);
    const delivered: string[] = [];
    for (;;) {
      const frame = (await receiver.next(1_500).catch(() => null)) as { t: string; id: string; messageId: string } | null;
      if (!frame) break;
      if (frame.t !== 'deliver') continue;
      delivered.push(frame.messageId);
      receiver.send({ t: 'ack', id: frame.id });
    }
    expect(delivered).toEqual(['before-1', 'before-2', 'before-3']);

    // The same keys sign, so shells built for this server keep trusting its manifests; secrets stay 0600.
    expect(readFileSync(join(restored, 'manifest-signing-keys.json'), 'utf8')).toBe(readFileSync(join(live, 'manifest-signing-keys.json'), 'utf8'));
    for (const secret of ['manifest-signing-keys.json', 'parley.sqlite']) expect(mode(join(backup, secret)), secret).toBe('600');
    expect((await new TestApi(restoredApi).request('GET', '/api/health')).status).toBe(200);
  });

  it('refuses to write into a folder that is not empty, or to back up a folder without a database', async () => {
    const live = join(folder.path, 'live');
    await start(live);
    await expect(backupDataDir(live, live)).rejects.toThrow(BackupError);
    await expect(backupDataDir(join(folder.path, 'nothing'), join(folder.path, 'b'))).rejects.toThrow(/holds no Parley database/);
  });
});
