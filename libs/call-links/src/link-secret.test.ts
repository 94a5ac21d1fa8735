import { createDecipheriv, hkdfSync } from 'node:crypto';
import { CALL_LINK_LABELS, CallLinkRoomIdSchema, CallLinkVerifierSchema, EncryptedCallNameSchema } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { CallLinkFormatError, callLinkUrl, decryptCallName, deriveCallLinkKeys, encryptCallName, newCallLinkSecret, secretFromLink } from './link-secret.js';

// The oracle: Node's own HKDF (RFC 5869) over the same labels.
const oracle = (secret: string, label: string, bytes: number) => Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'base64url'), Buffer.alloc(0), label, bytes));

describe('call link secrets', () => {
  it('are 128 random bits in a 22-character fragment, different every time', () => {
    const secrets = new Set(Array.from({ length: 50 }, newCallLinkSecret));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) expect(Buffer.from(secret, 'base64url')).toHaveLength(16);
  });

  it('derive the room id and verifier Node derives, in the shapes the server accepts', async () => {
    const secret = newCallLinkSecret();
    const keys = await deriveCallLinkKeys(secret);
    expect(keys.roomId).toBe(oracle(secret, CALL_LINK_LABELS.roomId, 16).toString('base64url'));
    expect(keys.verifier).toBe(oracle(secret, CALL_LINK_LABELS.verifier, 32).toString('base64url'));
    expect(CallLinkRoomIdSchema.safeParse(keys.roomId).success).toBe(true);
    expect(CallLinkVerifierSchema.safeParse(keys.verifier).success).toBe(true);
    // Neither reveals the secret.
    expect(keys.roomId).not.toContain(secret);
    expect(keys.verifier).not.toContain(secret);
  });

  it('encrypt the call name with the derived name key; another link cannot read it', async () => {
    const secret = newCallLinkSecret();
    const keys = await deriveCallLinkKeys(secret);
    const sealed = await encryptCallName(keys, '  Book club  ');
    expect(EncryptedCallNameSchema.safeParse(sealed).success).toBe(true);
    expect(await decryptCallName(keys, sealed)).toBe('Book club');
    // Node decrypts it with the oracle's key: the format is IV ‖ ciphertext ‖ tag.
    const bytes = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-128-gcm', oracle(secret, CALL_LINK_LABELS.nameKey, 16), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    expect(Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString()).toBe('Book club');

    const other = await deriveCallLinkKeys(newCallLinkSecret());
    expect(await decryptCallName(other, sealed)).toBeNull();
    const tampered = Buffer.from(bytes);
    tampered[20]! ^= 1;
    expect(await decryptCallName(keys, tampered.toString('base64'))).toBeNull();
    expect(await decryptCallName(keys, 'not base64!')).toBeNull();
  });

  it('are read from a whole link or a bare fragment; anything else is refused with a clear error', () => {
    const secret = newCallLinkSecret();
    expect(secretFromLink(callLinkUrl('http://localhost:4200/', secret))).toBe(secret);
    expect(callLinkUrl('http://localhost:4200/', secret)).toBe(`http://localhost:4200/call#${secret}`);
    expect(secretFromLink(secret)).toBe(secret);
    for (const bad of ['', 'http://x/call#', 'http://x/call#short', `http://x/call#${secret}x`, `http://x/call#${secret.slice(0, 21)}!`, 'AAAAAAAAAAAAAAAAAAAAAB']) {
      // The last one is 22 base64url characters but not the canonical form of any 16 bytes (its spare bits are set).
      expect(() => secretFromLink(bad)).toThrow(CallLinkFormatError);
    }
  });

  it('refuse an empty or overlong call name', async () => {
    const keys = await deriveCallLinkKeys(newCallLinkSecret());
    await expect(encryptCallName(keys, '   ')).rejects.toThrow(RangeError);
    await expect(encryptCallName(keys, 'x'.repeat(129))).rejects.toThrow(RangeError);
  });
});
