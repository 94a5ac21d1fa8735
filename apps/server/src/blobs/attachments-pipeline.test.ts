/**
 * Attachments through the real client pipeline (libs/messenger over Signal sessions and the relay,
 * the blob API of this server): a file sent in a 1:1 chat reaches the peer and the sender's linked
 * device, which both open it; the blob folder and the database hold none of its bytes, key or name
 * (the control: a display name stored in clear by design is found by the same scan); a blob
 * changed on the server is refused by the receiver; an upload over the quota is refused with its
 * code and leaves nothing behind.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '@parley/clock';
import type { HistoryMessage } from '@parley/messenger';
import { type TestDevice, linkNewDevice, registerDevice } from '@parley/messenger/testing';
import { isAttachmentError } from '@parley/signal-protocol';
import { AttachmentTransfer } from '@parley/messenger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { scanFor } from '../testing/plaintext-scan.js';
import { serverEndpoint } from '../testing/test-messenger.js';
import { tempFolder, testConfig } from '../testing/test-support.js';
import { DEFAULT_BLOB_LIMITS } from './blob-limits.js';

describe('attachments through the messenger', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>> | null = null;
  let server: ParleyServer | null = null;
  const devices: TestDevice[] = [];
  afterEach(async () => {
    for (const device of devices.splice(0)) device.stop();
    await server?.stop();
    await folder?.remove();
  });

  async function start(quotaBytesPerAccount = DEFAULT_BLOB_LIMITS.quotaBytesPerAccount, displayName?: string) {
    folder = await tempFolder();
    // The real clock: linking checks the code's expiry against the client's.
    server = createParleyServer(testConfig(folder.path, { clock: systemClock, blobLimits: { ...DEFAULT_BLOB_LIMITS, quotaBytesPerAccount } }));
    const endpoint = serverEndpoint((await server.start()).api);
    const alice = await registerDevice(endpoint, 'files.alice', displayName);
    const bob = await registerDevice(endpoint, 'files.bob');
    devices.push(alice, bob);
    return { endpoint, alice, bob };
  }

  const withAttachment = async (device: TestDevice, conversationId: string): Promise<HistoryMessage> => {
    let found: HistoryMessage | undefined;
    await vi.waitFor(async () => {
      found = (await device.history.listMessages(conversationId)).find((m) => m.attachments !== undefined);
      expect(found).toBeDefined();
    }, { timeout: 5_000 });
    return found!;
  };

  it('a file reaches the peer and the sender\'s linked device, both open it, and the server holds none of it', async () => {
    const marker = `FILE-MARKER-${randomBytes(6).toString('hex')}`;
    const fileName = `NAME-MARKER-${randomBytes(6).toString('hex')}.pdf`;
    const displayName = `DISPLAY-NAME-${randomBytes(6).toString('hex')}`;
    const { endpoint, alice, bob } = await start(undefined, displayName);
    const alice2 = await linkNewDevice(endpoint, alice);
    devices.push(alice2);
    const file = Buffer.concat([Buffer.from(`%PDF-1.4 ${marker} `.repeat(40)), randomBytes(3000)]);
    const { conversationId } = await alice.messenger.findUser('files.bob');

    const progress: number[] = [];
    const pointer = await alice.messenger.attachments!().upload(file, { contentType: 'application/pdf', fileName }, (p) => progress.push(p));
    expect(progress.at(-1)).toBe(1);
    const sent = await alice.messenger.sendText(conversationId, '', { attachments: [pointer] });
    expect(sent.attachments?.[0]?.fileName).toBe(fileName);

    const atBob = await withAttachment(bob, alice.setup.credentials.userId);
    expect(atBob.attachments![0]).toMatchObject({ fileName, contentType: 'application/pdf', size: file.length });
    expect(Buffer.from(await bob.messenger.attachments!().download(atBob.attachments![0]!)).equals(file)).toBe(true);
    const atAlice2 = await withAttachment(alice2, bob.setup.credentials.userId);
    expect(Buffer.from(await alice2.messenger.attachments!().download(atAlice2.attachments![0]!)).equals(file)).toBe(true);

    const blobFolder = join(folder!.path, 'blobs');
    const files = [
      ...readdirSync(blobFolder).map((name) => join(blobFolder, name)),
      ...readdirSync(folder!.path).filter((name) => name.startsWith('parley.sqlite')).map((name) => join(folder!.path, name)),
    ];
    const everything = Buffer.concat(files.map((path) => readFileSync(path)));
    // The control: stored in clear by design, sent through the same client.
    expect(scanFor('data', everything, [['display name', displayName]])).not.toEqual([]);
    const secrets: Array<[string, string | Uint8Array]> = [
      ['the file\'s text', marker],
      ['the file name', fileName],
      ['the file\'s random bytes', file.subarray(file.length - 64)],
      ['the attachment key', Buffer.from(pointer.key, 'base64')],
    ];
    expect(files.flatMap((path) => scanFor(path, readFileSync(path), secrets))).toEqual([]);
  }, 30_000);

  it('a photo sent in a group reaches every member, who opens it', async () => {
    const { alice, bob } = await start();
    const group = await alice.messenger.createGroup('Cats', ['files.bob']);
    const photo = randomBytes(20_000);
    const pointer = await alice.messenger.attachments!().upload(photo, { contentType: 'image/jpeg', fileName: 'cat.jpg', width: 640, height: 480 });
    await alice.messenger.sendText(group.conversationId, 'our cat', { attachments: [pointer] });
    const atBob = await withAttachment(bob, group.conversationId);
    expect(atBob).toMatchObject({ body: 'our cat', attachments: [{ fileName: 'cat.jpg', width: 640, height: 480 }] });
    expect(Buffer.from(await bob.messenger.attachments!().download(atBob.attachments![0]!)).equals(photo)).toBe(true);
  }, 30_000);

  it('a blob changed on the server is refused by the receiver as not the one sent', async () => {
    const { alice, bob } = await start();
    const { conversationId } = await alice.messenger.findUser('files.bob');
    const pointer = await alice.messenger.attachments!().upload(Buffer.from('a photo, honestly'), { contentType: 'image/jpeg', fileName: 'cat.jpg' });
    await alice.messenger.sendText(conversationId, 'look', { attachments: [pointer] });
    const atBob = await withAttachment(bob, alice.setup.credentials.userId);
    const path = join(folder!.path, 'blobs', pointer.blobId);
    const bytes = readFileSync(path);
    bytes[40]! ^= 0x01;
    writeFileSync(path, bytes);
    const refusal = await bob.messenger.attachments!().download(atBob.attachments![0]!).catch((error: unknown) => error);
    expect(isAttachmentError(refusal, 'digest-mismatch')).toBe(true);
  }, 30_000);

  it('an upload over the quota is refused with blob_quota_exceeded and nothing stays on the server', async () => {
    const { alice } = await start(4096);
    const refusal = await alice.messenger.attachments!().upload(randomBytes(5000), { contentType: 'application/octet-stream', fileName: 'big.bin' }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: 'blob_quota_exceeded' });
    expect(readdirSync(join(folder!.path, 'blobs'))).toEqual([]);
  }, 30_000);

  it('resumes an upload whose answer was lost: the next chunk starts where the server says the blob stands', async () => {
    const { endpoint, alice } = await start();
    let puts = 0;
    // The second chunk reaches the server, but its answer never comes back (a dropped connection).
    const flaky: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init);
      if (init?.method === 'PUT' && ++puts === 2) throw new TypeError('connection reset');
      return answer;
    };
    const transfer = new AttachmentTransfer({ baseUrl: endpoint.baseUrl, token: () => alice.setup.credentials.token, fetch: flaky, chunkBytes: 1000, sleep: async () => {} });
    const file = randomBytes(4500);
    const pointer = await transfer.upload(file, { contentType: 'application/octet-stream', fileName: 'flaky.bin' });
    expect(Buffer.from(await transfer.download(pointer)).equals(file)).toBe(true);
    expect(puts).toBe(5);
  }, 30_000);
});
