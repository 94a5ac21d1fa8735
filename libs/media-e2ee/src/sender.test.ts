import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { MAX_UINT64 } from './bytes.js';
import { decodeHeader } from './header.js';
import { SFrameKeyRing } from './key-ring.js';
import { SFrameSender } from './sender.js';
import { keyPair } from './testing/keys.js';

const none = new Uint8Array(0);
const payload = new Uint8Array([1, 2, 3, 4]);

function headerOf(ciphertext: Uint8Array) {
  const decoded = decodeHeader(ciphertext);
  if (!decoded.ok) throw new Error(decoded.failure.message);
  return decoded.value;
}

describe('SFrameSender', () => {
  it('without a key, returns no-sending-key instead of throwing', async () => {
    expect(await new SFrameSender().encrypt(none, payload)).toMatchObject({ ok: false, failure: { code: 'no-sending-key' } });
  });

  it('numbers frames 0, 1, 2, … under the current KID', async () => {
    const sender = new SFrameSender();
    sender.setKey((await keyPair(0x11n)).send);
    for (let i = 0n; i < 5n; i++) {
      const result = await sender.encrypt(none, payload);
      if (!result.ok) throw new Error(result.failure.message);
      expect(headerOf(result.value)).toMatchObject({ kid: 0x11n, ctr: i });
    }
    expect(sender.nextCounter).toBe(5n);
  });

  it('gives concurrent encryptions distinct counters', async () => {
    const sender = new SFrameSender();
    sender.setKey((await keyPair(3n)).send);
    const results = await Promise.all(Array.from({ length: 50 }, () => sender.encrypt(none, payload)));
    const counters = results.map((r) => (r.ok ? headerOf(r.value).ctr : -1n));
    expect(new Set(counters).size).toBe(50);
    expect(counters.every((c) => c >= 0n && c < 50n)).toBe(true);
  });

  it('refuses to wrap: after maxCounter every frame is counter-exhausted until a new key', async () => {
    const sender = new SFrameSender({ maxCounter: 2n });
    sender.setKey((await keyPair(1n)).send);
    for (let i = 0; i < 3; i++) expect((await sender.encrypt(none, payload)).ok).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(await sender.encrypt(none, payload)).toMatchObject({ ok: false, failure: { code: 'counter-exhausted', kid: 1n } });
    }
    sender.setKey((await keyPair(2n)).send);
    const fresh = await sender.encrypt(none, payload);
    expect(fresh.ok && headerOf(fresh.value)).toMatchObject({ kid: 2n, ctr: 0n });
  });

  it('by default stops after CTR 2^64 − 1, the largest the header can carry', async () => {
    expect(new SFrameSender().maxCounter).toBe(MAX_UINT64);
    expect(() => new SFrameSender({ maxCounter: MAX_UINT64 + 1n })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new SFrameSender({ maxCounter: -1n })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });

  it('never lets a KID restart its counter, nor one key drive two senders', async () => {
    const sender = new SFrameSender();
    const first = await keyPair(5n);
    const again = await keyPair(5n);
    sender.setKey(first.send);
    sender.setKey((await keyPair(6n)).send);
    expect(() => sender.setKey(first.send)).toThrowError(expect.objectContaining({ code: 'key-already-used' }));
    expect(() => sender.setKey(again.send)).toThrowError(expect.objectContaining({ code: 'key-already-used' }));
    expect(() => new SFrameSender().setKey(first.send)).toThrowError(expect.objectContaining({ code: 'key-already-used' }));
  });

  it('refuses a decryption key', async () => {
    const { receive } = await keyPair(7n);
    expect(() => new SFrameSender().setKey(receive)).toThrowError(expect.objectContaining({ code: 'wrong-key-usage' }));
  });

  it('never repeats a (key, nonce) pair across a stream with rekeys', async () => {
    const sender = new SFrameSender({ maxCounter: 99n });
    const ring = new SFrameKeyRing({ capacity: 8 });
    const seen = new Set<string>();
    for (const kid of [0x10n, 0x11n, 0x100010n]) {
      const { send, receive } = await keyPair(kid);
      sender.setKey(send);
      ring.add(receive);
      for (let i = 0; i < 120; i++) {
        const result = await sender.encrypt(none, payload);
        if (!result.ok) {
          expect(result.failure.code).toBe('counter-exhausted');
          continue;
        }
        const { ctr } = headerOf(result.value);
        const pair = `${kid}/${toHex(receive.salt)}/${ctr}`;
        expect(seen.has(pair)).toBe(false);
        seen.add(pair);
        expect((await ring.decrypt(none, result.value)).ok).toBe(true);
      }
    }
    expect(seen.size).toBe(300);
  });
});
