/**
 * The size: a 100 MB file round-trips through the blob API — encrypted, padded to its
 * bucket, uploaded in chunks with the device's token, downloaded by id, checked and decrypted to
 * the same bytes. Timings are printed, not asserted (the machine is shared).
 */
import { createHash, randomBytes } from 'node:crypto';
import { ATTACHMENT_MAX_BYTES } from '@parley/contracts';
import { AttachmentTransfer } from '@parley/messenger';
import { attachmentCiphertextSize } from '@parley/signal-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, tempFolder, testConfig } from '../testing/test-support.js';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

describe('a 100 MB attachment', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>> | null = null;
  let server: ParleyServer | null = null;
  afterEach(async () => {
    await server?.stop();
    await folder?.remove();
  });

  it('round-trips: encrypted, uploaded in chunks, downloaded and decrypted to the same bytes', async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path));
    const base = (await server.start()).api;
    const device = await new TestApi(base).register(new TestIdentity().account('large.files'));
    const transfer = new AttachmentTransfer({ baseUrl: base, token: () => device.token });
    const file = randomBytes(ATTACHMENT_MAX_BYTES);
    const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

    const started = performance.now();
    const progress: number[] = [];
    const pointer = await transfer.upload(file, { contentType: 'video/mp4', fileName: 'film.mp4' }, (p) => progress.push(p));
    const uploaded = performance.now();
    const blobs = join(folder.path, 'blobs');
    const [stored] = readdirSync(blobs).filter((name) => !name.endsWith('.json'));
    expect(statSync(join(blobs, stored!)).size).toBe(attachmentCiphertextSize(file.length));
    // 25 chunks of 4 MiB: progress moves in steps, ending at 1.
    expect(progress.length).toBeGreaterThan(20);
    expect(progress.at(-1)).toBe(1);

    const back = await transfer.download(pointer);
    const downloaded = performance.now();
    expect(back.length).toBe(file.length);
    expect(sha(back)).toBe(sha(file));
    const mbps = (ms: number) => (file.length / 1e6 / (ms / 1000)).toFixed(0);
    console.log(`100 MiB attachment: encrypt+upload ${(uploaded - started).toFixed(0)} ms (${mbps(uploaded - started)} MB/s), download+decrypt ${(downloaded - uploaded).toFixed(0)} ms (${mbps(downloaded - uploaded)} MB/s), Node`);
  }, 180_000);
});
