/**
 * What the server keeps and logs holds no plaintext: after a flow whose messages carry plaintext
 * markers (encrypted client-side, as the real client does), the database files — including the
 * -wal and -shm files while the server runs — and the log (at trace level) contain no marker in
 * clear, hex or base64, nor any device token. A positive control (the handle, stored in clear by
 * design; the user id in the log) shows the scan can find what is there.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { RELAY_PATH } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from './create-server.js';
import { TestIdentity } from './test-keys.js';
import { TestApi, TestRelayClient, tempFolder, testConfig } from './test-support.js';

/** Every form a secret could take in a file: clear, hex and base64 at each byte alignment. */
export function encodings(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = [secret, bytes.toString('hex'), bytes.toString('hex').toUpperCase()];
  for (let offset = 0; offset < 3; offset++) {
    // Shifted by `offset` bytes, the first and last base64 quanta mix in neighbouring bytes:
    // only the quanta in between are fixed by the secret alone.
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const inner = encoded.slice(offset === 0 ? 0 : 4, -4);
    forms.push(inner, inner.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

/** Client-side encryption stand-in: AES-256-GCM under a key only the "clients" know. */
function encrypt(plaintext: string): string {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  return Buffer.concat([iv, cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]).toString('base64');
}

describe('privacy scan of the database files and the log', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  const log: string[] = [];

  beforeEach(async () => {
    folder = await tempFolder();
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        log.push(String(chunk));
        done();
      },
    });
    server = createParleyServer(testConfig(folder.path, { logLevel: 'trace', logDestination, allowDevTokens: false }));
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('finds no plaintext marker and no token, and does find the positive controls', async () => {
    const { api } = await server.start();
    const http = new TestApi(api);
    const markers = Array.from({ length: 5 }, (_, i) => `PLAINTEXT-MARKER-${i}-${randomBytes(6).toString('hex')}`);

    const aliceIdentity = new TestIdentity();
    const alice = await http.register(aliceIdentity.account('privacy.alice'));
    const bob = await http.register(new TestIdentity().account('privacy.bob'));

    // Link a second device for bob (its provisioning message is encrypted too).
    const { body: code } = await http.request('POST', '/api/link/codes', { token: alice.token });
    const { body: request } = await http.request('POST', '/api/link/requests', {
      body: { linkId: code.linkId, ephemeralPublicKey: new TestIdentity().identityKey, mac: randomBytes(32).toString('base64') },
    });
    await http.request('POST', `/api/link/requests/${request.requestId}/provision`, { token: alice.token, body: { envelope: encrypt(markers[0]!) } });
    const { body: provisioned } = await http.request('GET', `/api/link/requests/${request.requestId}`);
    const { body: alice2 } = await http.request('POST', '/api/link/complete', {
      body: { provisioningToken: provisioned.provisioningToken, device: aliceIdentity.deviceKeys(3) },
    });

    await http.request('GET', '/api/users?handle=privacy.bob', { token: alice.token });
    await http.request('GET', `/api/keys/${bob.userId}`, { token: alice.token });

    // Messages both ways; bob reads (and acks) only some, so others stay queued.
    const aliceSocket = await TestRelayClient.signedIn(api, RELAY_PATH, alice.token);
    const ciphertexts: string[] = [];
    const encrypted = (marker: string) => {
      ciphertexts.push(encrypt(marker));
      return ciphertexts.at(-1)!;
    };
    for (const [i, marker] of markers.entries()) {
      aliceSocket.send({ t: 'send', id: `m-${i}`, to: bob.userId, messages: [{ deviceId: 1, type: 3, ciphertext: encrypted(marker) }] });
      aliceSocket.send({ t: 'send', id: `m-${i}`, to: alice.userId, messages: [{ deviceId: 2, type: 2, ciphertext: encrypted(marker) }] });
    }
    for (let i = 0; i < markers.length * 2; i++) expect(await aliceSocket.until('result')).toMatchObject({ ok: true });
    const bobSocket = await TestRelayClient.signedIn(api, RELAY_PATH, bob.token);
    for (let i = 0; i < 3; i++) bobSocket.send({ t: 'ack', id: (await bobSocket.until('deliver')).id });
    await bobSocket.settle();

    const tokens = [alice.token, bob.token, alice2.token, provisioned.provisioningToken, request.requestId];
    const scan = (label: string, text: Buffer) => {
      const found: string[] = [];
      for (const secret of [...markers, ...tokens]) {
        for (const form of encodings(secret)) if (text.includes(form)) found.push(`${label}: ${secret.slice(0, 12)}… as ${form.slice(0, 16)}…`);
      }
      return found;
    };
    const dbFiles = () => readdirSync(folder.path).filter((name) => name.startsWith('parley.sqlite'));

    // While the server runs: the -wal and -shm files exist and hold the latest writes.
    const running = dbFiles();
    expect(running).toEqual(expect.arrayContaining(['parley.sqlite', 'parley.sqlite-wal', 'parley.sqlite-shm']));
    const findings = running.flatMap((name) => scan(name, readFileSync(join(folder.path, name))));
    const allDb = Buffer.concat(running.map((name) => readFileSync(join(folder.path, name))));
    expect(allDb.includes('privacy.alice')).toBe(true); // positive control: handles are stored in clear

    aliceSocket.close();
    bobSocket.close();
    await server.stop();
    for (const name of dbFiles()) findings.push(...scan(`${name} (stopped)`, readFileSync(join(folder.path, name))));
    const logText = Buffer.from(log.join(''));
    findings.push(...scan('log', logText));
    // The log holds no ciphertext and no key either (the database keeps both by design).
    for (const secret of [...ciphertexts, aliceIdentity.identityKey]) {
      if (logText.includes(secret)) findings.push(`log: ciphertext or key ${secret.slice(0, 12)}…`);
    }
    // Positive control for the log: the user id of an account is logged on purpose.
    expect(logText.includes(alice.userId)).toBe(true);
    expect(existsSync(join(folder.path, 'parley.sqlite'))).toBe(true);

    console.log(`privacy scan: ${markers.length} markers and ${tokens.length} secrets in ${encodings('x'.repeat(20)).length} forms, ${running.length} db files and ${log.length} log lines: ${findings.length} findings`);
    expect(findings).toEqual([]);
  });

  it('would notice a marker in clear, hex or base64 (the scan itself works)', () => {
    const marker = 'PLAINTEXT-MARKER-check';
    for (const embedding of [marker, Buffer.from(marker).toString('hex'), Buffer.from(`ab${marker}cd`).toString('base64')]) {
      const text = Buffer.from(`…${embedding}…`);
      expect(encodings(marker).some((form) => text.includes(form))).toBe(true);
    }
  });
});
