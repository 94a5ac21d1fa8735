import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ATTACHMENT_MIN_PADDED_SIZE,
  AttachmentError,
  attachmentCiphertextSize,
  decryptAttachment,
  encryptAttachment,
  isAttachmentError,
  paddedAttachmentSize,
} from './attachments.js';

// Oracle: node:crypto (OpenSSL) builds Signal's attachment format independently:
// IV ‖ AES-256-CBC(PKCS#7(zero-padded plaintext)) ‖ HMAC-SHA256(IV ‖ CBC), digest SHA-256 of it all.
// libsignal-client 0.103 exposes no attachment cipher (only the incremental MAC for streaming
// media, incremental_mac.d.ts), so OpenSSL is the oracle here.

function oracleEncrypt(plaintext: Buffer, key: Buffer, iv: Buffer): { ciphertext: Buffer; digest: Buffer } {
  const padded = Buffer.alloc(paddedAttachmentSize(plaintext.length));
  plaintext.copy(padded);
  const cipher = createCipheriv('aes-256-cbc', key.subarray(0, 32), iv);
  const ivAndBody = Buffer.concat([iv, cipher.update(padded), cipher.final()]);
  const ciphertext = Buffer.concat([ivAndBody, createHmac('sha256', key.subarray(32)).update(ivAndBody).digest()]);
  return { ciphertext, digest: createHash('sha256').update(ciphertext).digest() };
}

function oracleDecrypt(ciphertext: Uint8Array, key: Uint8Array, size: number): Buffer {
  const bytes = Buffer.from(ciphertext);
  const ivAndBody = bytes.subarray(0, bytes.length - 32);
  expect(createHmac('sha256', Buffer.from(key.subarray(32))).update(ivAndBody).digest().equals(bytes.subarray(bytes.length - 32))).toBe(true);
  const decipher = createDecipheriv('aes-256-cbc', Buffer.from(key.subarray(0, 32)), ivAndBody.subarray(0, 16));
  return Buffer.concat([decipher.update(ivAndBody.subarray(16)), decipher.final()]).subarray(0, size);
}

const SIZES = [0, 1, 15, 16, 540, 541, 542, 1000, 8191, 8192, 70_000, 1_000_003];

describe('attachment encryption against node:crypto', () => {
  it.each(SIZES)('a %i-byte file: same key and IV give the same bytes and digest as OpenSSL', async (size) => {
    const plaintext = nodeRandomBytes(size);
    const key = nodeRandomBytes(64);
    const iv = nodeRandomBytes(16);
    const ours = await encryptAttachment(plaintext, { key, iv });
    const oracle = oracleEncrypt(plaintext, key, iv);
    expect(Buffer.from(ours.ciphertext).equals(oracle.ciphertext)).toBe(true);
    expect(Buffer.from(ours.digest).equals(oracle.digest)).toBe(true);
    expect(ours.ciphertext.length).toBe(attachmentCiphertextSize(size));
    expect(ours.size).toBe(size);
  });

  it.each(SIZES)('a %i-byte file: what OpenSSL encrypts we decrypt, and what we encrypt OpenSSL decrypts', async (size) => {
    const plaintext = nodeRandomBytes(size);
    const key = nodeRandomBytes(64);
    const oracle = oracleEncrypt(plaintext, key, nodeRandomBytes(16));
    expect(Buffer.from(await decryptAttachment(oracle.ciphertext, { key, digest: oracle.digest, size })).equals(plaintext)).toBe(true);
    const ours = await encryptAttachment(plaintext);
    expect(oracleDecrypt(ours.ciphertext, ours.key, size).equals(plaintext)).toBe(true);
  });
});

describe('attachment encryption', () => {
  it('draws a fresh 64-byte key and 16-byte IV for every attachment', async () => {
    const file = new TextEncoder().encode('the same file twice');
    const [a, b] = await Promise.all([encryptAttachment(file), encryptAttachment(file)]);
    expect(a.key).toHaveLength(64);
    expect(Buffer.from(a.key).equals(Buffer.from(b.key))).toBe(false);
    expect(Buffer.from(a.ciphertext.subarray(0, 16)).equals(Buffer.from(b.ciphertext.subarray(0, 16)))).toBe(false);
    expect(Buffer.from(a.digest).equals(Buffer.from(b.digest))).toBe(false);
  });

  it('pads to Signal buckets: at least 541 bytes, at most 5 % more, so the server learns a bucket', () => {
    expect(paddedAttachmentSize(0)).toBe(ATTACHMENT_MIN_PADDED_SIZE);
    expect(paddedAttachmentSize(541)).toBe(541);
    for (const size of [542, 1000, 12_345, 1_048_576, 104_857_600]) {
      const padded = paddedAttachmentSize(size);
      expect(padded).toBeGreaterThanOrEqual(size);
      expect(padded).toBeLessThanOrEqual(Math.ceil(size * 1.05));
    }
    // Neighbouring sizes fall in one bucket: the stored size does not tell them apart.
    expect(paddedAttachmentSize(1_000_000)).toBe(paddedAttachmentSize(1_000_001));
    expect(() => paddedAttachmentSize(-1)).toThrow(RangeError);
  });
});

describe('a changed attachment is refused before a byte is decrypted', () => {
  const plaintext = new TextEncoder().encode('a photo of the cat, honestly');

  async function refusal(run: () => Promise<unknown>): Promise<string> {
    const error = await run().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(AttachmentError);
    return (error as AttachmentError).code;
  }

  it('one flipped byte anywhere (IV, body, MAC): the digest differs', async () => {
    const sealed = await encryptAttachment(plaintext);
    for (const at of [0, 20, sealed.ciphertext.length - 1]) {
      const tampered = sealed.ciphertext.slice();
      tampered[at]! ^= 0x01;
      expect(await refusal(() => decryptAttachment(tampered, sealed))).toBe('digest-mismatch');
    }
  });

  it('a flipped byte with the digest recomputed (a forged message, the key kept): the MAC fails', async () => {
    const sealed = await encryptAttachment(plaintext);
    const tampered = sealed.ciphertext.slice();
    tampered[20]! ^= 0x01;
    const digest = new Uint8Array(createHash('sha256').update(tampered).digest());
    expect(await refusal(() => decryptAttachment(tampered, { ...sealed, digest }))).toBe('mac-mismatch');
  });

  it('truncation: a whole block cut off fails the digest, a ragged length is refused outright', async () => {
    const sealed = await encryptAttachment(plaintext);
    expect(await refusal(() => decryptAttachment(sealed.ciphertext.slice(0, -16), sealed))).toBe('digest-mismatch');
    expect(await refusal(() => decryptAttachment(sealed.ciphertext.slice(0, -1), sealed))).toBe('truncated');
    expect(await refusal(() => decryptAttachment(sealed.ciphertext.slice(0, 40), sealed))).toBe('truncated');
  });

  it('a wrong digest, a wrong key or an impossible size is refused', async () => {
    const sealed = await encryptAttachment(plaintext);
    const other = await encryptAttachment(plaintext);
    expect(await refusal(() => decryptAttachment(sealed.ciphertext, { ...sealed, digest: other.digest }))).toBe('digest-mismatch');
    expect(await refusal(() => decryptAttachment(sealed.ciphertext, { ...sealed, key: other.key }))).toBe('mac-mismatch');
    expect(await refusal(() => decryptAttachment(sealed.ciphertext, { ...sealed, key: other.key.subarray(0, 32) }))).toBe('bad-key');
    expect(await refusal(() => decryptAttachment(sealed.ciphertext, { ...sealed, size: 10_000 }))).toBe('size-mismatch');
    expect(isAttachmentError(await decryptAttachment(sealed.ciphertext, sealed).catch((e: unknown) => e))).toBe(false);
  });
});
