/**
 * What the server keeps and logs holds no plaintext: message texts (markers) go through the real
 * client pipeline (libs/messenger: Signal sessions, the relay client over `ws`), a second device is
 * linked (its provisioning message carries the identity private key), some messages are read and
 * others stay queued; then the database files — including the -wal and -shm files while the server
 * runs — and the log (at trace level) contain no marker, no identity private key and no device
 * token, in clear, hex or base64. The control is a marker the server does hold in clear (a display
 * name, sent through the same client): the same scan finds it, so the scan would find a message
 * text that reached the server unencrypted. The same scan runs over the attachment blob folder
 * after encrypted uploads, with a blob uploaded in clear as its control.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type TestDevice, linkNewDevice, registerDevice } from '@parley/messenger/testing';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '@parley/clock';
import { type ParleyServer, createParleyServer } from './create-server.js';
import { encryptAttachment } from '@parley/signal-protocol';
import { BLOBS_PATH } from './blobs/blob-routes.js';
import { scanFor } from './testing/plaintext-scan.js';
import { serverEndpoint } from './testing/test-messenger.js';
import { TestIdentity } from './testing/test-keys.js';
import { TestApi, tempFolder, testConfig } from './testing/test-support.js';

describe('privacy scan of the database files and the log', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  const log: string[] = [];
  const devices: TestDevice[] = [];

  beforeEach(async () => {
    folder = await tempFolder();
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        log.push(String(chunk));
        done();
      },
    });
    // The real clock: the clients check the link code's expiry against theirs.
    server = createParleyServer(testConfig(folder.path, { clock: systemClock, logLevel: 'trace', logDestination }));
  });
  afterEach(async () => {
    for (const device of devices.splice(0)) device.stop();
    await server.stop();
    await folder.remove();
  });

  it('finds no message text, identity private key or token sent through the real client, and does find a display name sent the same way', async () => {
    const endpoint = serverEndpoint((await server.start()).api);
    const marker = (kind: string) => `${kind}-MARKER-${randomBytes(6).toString('hex')}`;
    const delivered = Array.from({ length: 3 }, () => marker('DELIVERED'));
    const queued = Array.from({ length: 3 }, () => marker('QUEUED'));
    // Held in clear by design: what the scan must find.
    const displayName = marker('DISPLAY-NAME');

    const alice = await registerDevice(endpoint, "privacy.alice", displayName);
    const bob = await registerDevice(endpoint, 'privacy.bob');
    devices.push(alice, bob);
    // A second device of alice's: the provisioning message carries the identity private key.
    const alice2 = await linkNewDevice(endpoint, alice);
    devices.push(alice2);

    const { conversationId } = await alice.messenger.findUser('privacy.bob');
    // Read by bob (acked, so gone from the queue, though pages of the database may remember them).
    for (const text of delivered) await alice.messenger.sendText(conversationId, text);
    const bobsView = () => bob.history.listMessages(alice.setup.credentials.userId);
    await vi.waitFor(async () => expect((await bobsView()).map((m) => m.body)).toEqual(expect.arrayContaining(delivered)), { timeout: 5_000 });
    // Queued for bob while he is offline: sendText resolves once the server answered it stored them.
    bob.stop();
    for (const text of queued) expect((await alice.messenger.sendText(conversationId, text)).delivery).toBe('sent');
    const bobAddress = { userId: bob.setup.credentials.userId, deviceId: bob.setup.credentials.deviceId };
    expect((await server.storage.pendingEnvelopes(bobAddress, 0, 100)).length).toBeGreaterThanOrEqual(queued.length);

    const identityPrivateKey = (await alice.setup.store.getIdentityKeyPair()).privateKey.serialize();
    const secrets: Array<[string, string | Uint8Array]> = [
      ...[...delivered, ...queued].map((text): [string, string] => [`message "${text}"`, text]),
      ['alice\'s identity private key', identityPrivateKey],
      ...[alice, bob, alice2].map((device, i): [string, string] => [`device token ${i}`, device.setup.credentials.token]),
    ];
    const dbFiles = () => readdirSync(folder.path).filter((name) => name.startsWith('parley.sqlite'));
    const read = (name: string) => readFileSync(join(folder.path, name));

    // While the server runs: the -wal and -shm files exist and hold the latest writes.
    const running = dbFiles();
    expect(running).toEqual(expect.arrayContaining(['parley.sqlite', 'parley.sqlite-wal', 'parley.sqlite-shm']));
    const findings = running.flatMap((name) => scanFor(name, read(name), secrets));
    // The control: the display name went through the same client and is stored in clear.
    const allDb = Buffer.concat(running.map(read));
    expect(scanFor('db', allDb, [['display name', displayName]])).not.toEqual([]);

    for (const device of devices.splice(0)) device.stop();
    await server.stop();
    for (const name of dbFiles()) findings.push(...scanFor(`${name} (stopped)`, read(name), secrets));
    const logText = Buffer.from(log.join(''));
    findings.push(...scanFor('log', logText, secrets));
    // The log's control: the user id of an account is logged on purpose, and the scan finds it.
    expect(scanFor('log', logText, [['user id', alice.setup.credentials.userId]])).not.toEqual([]);

    console.log(`privacy scan: ${secrets.length} secrets, ${running.length} db files and ${log.length} log lines: ${findings.length} findings`);
    expect(findings).toEqual([]);
  }, 30_000);

  it('would notice a marker in clear, hex or base64 (the scan itself works)', () => {
    const marker = 'PLAINTEXT-MARKER-check';
    for (const embedding of [marker, Buffer.from(marker).toString('hex'), Buffer.from(`ab${marker}cd`).toString('base64')]) {
      expect(scanFor('text', Buffer.from(`…${embedding}…`), [['marker', marker]])).not.toEqual([]);
    }
  });
});

describe('privacy scan of the blob folder and the database after attachment uploads', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;

  beforeEach(async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path));
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('finds no byte of an encrypted attachment or its key, and does find a blob uploaded in clear', async () => {
    const base = (await server.start()).api;
    const http = new TestApi(base);
    const alice = await http.register(new TestIdentity().account('privacy.blobs'));
    const upload = async (bytes: Uint8Array) => {
      const { body } = await http.request('POST', BLOBS_PATH, { token: alice.token, body: { size: bytes.length } });
      await fetch(`${base}${BLOBS_PATH}/${body.id}?offset=0`, { method: 'PUT', headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/octet-stream' }, body: new Uint8Array(bytes) });
      expect((await http.request('POST', `${BLOBS_PATH}/${body.id}/finish`, { token: alice.token })).status).toBe(200);
    };
    const marker = (kind: string) => `${kind}-MARKER-${randomBytes(6).toString('hex')}`;
    const fileText = marker('ATTACHMENT');
    // A file whose every part is recognisable: the marker repeated, and random bytes.
    const plaintext = Buffer.concat([Buffer.from(fileText.repeat(50)), randomBytes(4096), Buffer.from(fileText)]);
    const sealed = await encryptAttachment(plaintext);
    await upload(sealed.ciphertext);
    // The control: a blob a broken client would have uploaded unencrypted.
    const control = marker('CLEAR-BLOB');
    await upload(Buffer.from(control));

    const secrets: Array<[string, string | Uint8Array]> = [
      ['the attachment\'s text', fileText],
      ['the attachment\'s random bytes', plaintext.subarray(fileText.length * 50, fileText.length * 50 + 64)],
      ['the attachment\'s key', sealed.key],
    ];
    const blobFolder = join(folder.path, 'blobs');
    const files = [
      ...readdirSync(blobFolder).map((name) => join(blobFolder, name)),
      ...readdirSync(folder.path).filter((name) => name.startsWith('parley.sqlite')).map((name) => join(folder.path, name)),
    ];
    const everything = Buffer.concat(files.map((path) => readFileSync(path)));
    expect(scanFor('blobs and database', everything, [['the clear control blob', control]])).not.toEqual([]);
    const findings = files.flatMap((path) => scanFor(path, readFileSync(path), secrets));
    expect(findings).toEqual([]);
  });
});
