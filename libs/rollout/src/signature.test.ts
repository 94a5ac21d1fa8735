import { hexToBytes } from '@noble/curves/utils.js';
import type { EvaluatedManifest, SignedManifest } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { fromBase64, toBase64, utf8 } from '@parley/bytes';
import {
  ManifestSigningKeyError,
  createSignedManifest,
  generateManifestSigningKey,
  manifestPublicKey,
  signManifest,
} from './sign.js';
import { verifySignedManifest, type PinnedManifestKey } from './signature.js';

const manifest: EvaluatedManifest = {
  schemaVersion: 1,
  userId: 'alice',
  issuedAt: 1_767_225_600_000,
  expiresAt: 1_767_225_900_000,
  contractVersion: '1.0.0',
  remotes: {
    chat: { entry: 'https://parley.example/releases/chat/1.4.0/remoteEntry.js', version: '1.4.0', integrity: 'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC' },
    call: { entry: 'https://parley.example/releases/call/2.0.0/remoteEntry.js', version: '2.0.0', integrity: 'sha384-Li9vy3DqF8tnTXuiaAJuML3ky+er10rcgNR/VqsVpcw+ThHmYcwiB1pbOxEbzJr7' },
  },
};

const current = generateManifestSigningKey('2026-01');
const next = generateManifestSigningKey('2026-07');
const pin = (key: PinnedManifestKey): PinnedManifestKey => ({ keyId: key.keyId, publicKey: key.publicKey });
const pinned = [pin(current), pin(next)];

describe('signManifest', () => {
  it('is standard Ed25519 (RFC 8032 §7.1, test 1)', () => {
    const secret = hexToBytes('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    expect(manifestPublicKey(secret)).toEqual(hexToBytes('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'));
    const signature = signManifest('', secret, 'rfc8032');
    expect(signature).toEqual({
      alg: 'Ed25519',
      keyId: 'rfc8032',
      value: toBase64(
        hexToBytes('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b'),
      ),
    });
    // The same key as base64, as it would come from the server's configuration.
    expect(signManifest('', toBase64(secret), 'rfc8032')).toEqual(signature);
  });

  it('refuses a private key that is not 32 bytes', () => {
    expect(() => signManifest('{}', new Uint8Array(31), 'k')).toThrow(ManifestSigningKeyError);
    expect(() => signManifest('{}', 'not base64!', 'k')).toThrow(ManifestSigningKeyError);
  });
});

describe('verifySignedManifest', () => {
  const signed = createSignedManifest(manifest, current.privateKey, current.keyId);

  it('accepts a manifest signed with a pinned key and returns it parsed', async () => {
    expect(await verifySignedManifest(signed, pinned)).toEqual({ ok: true, manifest, keyId: '2026-01' });
  });

  it('signs the exact bytes it sends: a re-serialization of the same manifest is refused', async () => {
    const reformatted = { ...signed, manifest: JSON.stringify(JSON.parse(signed.manifest), null, 2) };
    expect(JSON.parse(reformatted.manifest)).toEqual(manifest);
    expect(await verifySignedManifest(reformatted, pinned)).toMatchObject({ ok: false, code: 'bad-signature' });
  });

  it('refuses a one-bit change in every byte of the manifest', async () => {
    const bytes = utf8(signed.manifest);
    const flip = (index: number, bit: number) => {
      const changed = Uint8Array.from(bytes);
      changed[index]! ^= 1 << bit;
      // Bits 0–6 keep the byte ASCII, so the changed bytes are still a string the envelope can carry.
      return verifySignedManifest({ ...signed, manifest: new TextDecoder().decode(changed) }, pinned);
    };
    // Every byte once, cycling through the bit positions (each verification costs ~1 ms).
    for (let index = 0; index < bytes.length; index += 1) {
      expect(await flip(index, index % 7), `byte ${index}`).toMatchObject({ ok: false, code: 'bad-signature' });
    }
    // And every bit of the bytes that matter most: the user id and the call release.
    for (const needle of ['"alice"', '2.0.0/remoteEntry']) {
      const start = signed.manifest.indexOf(needle);
      expect(start).toBeGreaterThan(0);
      for (let index = start; index < start + needle.length; index += 1) {
        for (let bit = 0; bit < 7; bit += 1) expect(await flip(index, bit), `byte ${index} bit ${bit}`).toMatchObject({ ok: false, code: 'bad-signature' });
      }
    }
  });

  it('refuses every one-bit change of the signature', async () => {
    const signature = fromBase64(signed.signature!.value);
    expect(signature).toHaveLength(64);
    for (let bit = 0; bit < signature.length * 8; bit += 1) {
      const changed = Uint8Array.from(signature);
      changed[bit >> 3]! ^= 1 << (bit & 7);
      const tampered: SignedManifest = { ...signed, signature: { ...signed.signature!, value: toBase64(changed) } };
      expect(await verifySignedManifest(tampered, pinned), `bit ${bit}`).toMatchObject({ ok: false, code: 'bad-signature' });
    }
  });

  it('refuses a signature by a key that is not pinned', async () => {
    const stranger = generateManifestSigningKey('2026-01');
    // Claims a pinned key id, but was made with another key.
    expect(await verifySignedManifest(createSignedManifest(manifest, stranger.privateKey, '2026-01'), pinned)).toMatchObject({
      ok: false,
      code: 'bad-signature',
    });
    // Names a key the shell does not know.
    expect(await verifySignedManifest(createSignedManifest(manifest, stranger.privateKey, 'rogue'), pinned)).toMatchObject({
      ok: false,
      code: 'unknown-key',
    });
    // A pinned key under another id is still another id.
    expect(await verifySignedManifest(createSignedManifest(manifest, current.privateKey, 'rogue'), pinned)).toMatchObject({
      ok: false,
      code: 'unknown-key',
    });
    expect(await verifySignedManifest(signed, [])).toMatchObject({ ok: false, code: 'unknown-key' });
  });

  it('rotates: the next key is accepted now, and the old one stops working once unpinned', async () => {
    const signedWithNext = createSignedManifest(manifest, next.privateKey, next.keyId);
    expect(await verifySignedManifest(signedWithNext, pinned)).toMatchObject({ ok: true, keyId: '2026-07' });

    const afterRotation = [pin(next), pin(generateManifestSigningKey('2027-01'))];
    expect(await verifySignedManifest(signedWithNext, afterRotation)).toMatchObject({ ok: true, keyId: '2026-07' });
    expect(await verifySignedManifest(signed, afterRotation)).toMatchObject({ ok: false, code: 'unknown-key' });
  });

  it('verifies strictly (RFC 8032, not ZIP-215): a small-order key does not verify a trivial signature', async () => {
    // Identity point as key and R, S = 0: every message "verifies" under ZIP-215's cofactored rules.
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const trivial = new Uint8Array(64);
    trivial[0] = 1;
    const forged = { manifest: signed.manifest, signature: { alg: 'Ed25519', keyId: 'weak', value: toBase64(trivial) } };
    expect(await verifySignedManifest(forged, [{ keyId: 'weak', publicKey: identity }])).toMatchObject({ ok: false, code: 'bad-signature' });
  });

  it('takes pinned public keys as base64 too, and ignores pinned keys that are not 32 bytes', async () => {
    const asBase64 = [{ keyId: current.keyId, publicKey: toBase64(current.publicKey) }];
    expect(await verifySignedManifest(signed, asBase64)).toMatchObject({ ok: true });
    const broken = [{ keyId: current.keyId, publicKey: current.publicKey.subarray(0, 31) }];
    expect(await verifySignedManifest(signed, broken)).toMatchObject({ ok: false, code: 'unknown-key' });
  });

  it('refuses an unsigned manifest', async () => {
    expect(await verifySignedManifest({ manifest: signed.manifest, signature: null }, pinned)).toMatchObject({ ok: false, code: 'unsigned' });
    expect(await verifySignedManifest({ manifest: signed.manifest }, pinned)).toMatchObject({ ok: false, code: 'unsigned' });
  });

  it('refuses a signature value that is not canonical base64 of 64 bytes', async () => {
    const value = signed.signature!.value;
    const lastChar = value.at(-3)!; // 64 bytes → 86 characters + "==": the last one carries 4 padding bits
    const nonCanonical = `${value.slice(0, -3)}${String.fromCharCode(lastChar.charCodeAt(0) + 1)}==`;
    for (const bad of [value.slice(0, -4), `${value}AAAA`, ` ${value}`, value.replace(/=+$/, ''), nonCanonical]) {
      const tampered = { ...signed, signature: { ...signed.signature!, value: bad } };
      expect(await verifySignedManifest(tampered, pinned), bad).toMatchObject({ ok: false, code: 'bad-signature' });
    }
  });

  it('refuses malformed envelopes without throwing', async () => {
    for (const envelope of [null, undefined, 'signed', 42, [], {}, { manifest: 7, signature: signed.signature }, { manifest: '', signature: signed.signature }]) {
      expect(await verifySignedManifest(envelope, pinned)).toMatchObject({ ok: false, code: 'invalid' });
    }
    expect(await verifySignedManifest({ ...signed, signature: { ...signed.signature!, alg: 'RS256' } }, pinned)).toMatchObject({ ok: false, code: 'invalid' });
    expect(await verifySignedManifest(signed, null as unknown as PinnedManifestKey[])).toMatchObject({ ok: false, code: 'invalid' });
  });

  it('parses only after verifying: authentic bytes that are not a valid manifest are refused as invalid', async () => {
    const notJson = { manifest: 'not json', signature: signManifest('not json', current.privateKey, current.keyId) };
    expect(await verifySignedManifest(notJson, pinned)).toMatchObject({ ok: false, code: 'invalid' });
    const wrongShape = JSON.stringify({ ...manifest, schemaVersion: 2 });
    expect(await verifySignedManifest({ manifest: wrongShape, signature: signManifest(wrongShape, current.privateKey, current.keyId) }, pinned)).toMatchObject({
      ok: false,
      code: 'invalid',
    });
    // The same bytes with a bad signature are refused for the signature, before anyone looks inside.
    expect(await verifySignedManifest({ manifest: 'not json', signature: signed.signature }, pinned)).toMatchObject({ ok: false, code: 'bad-signature' });
  });
});
