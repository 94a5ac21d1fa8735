import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { SFrameKeyRing } from './key-ring.js';
import { SFrameSender } from './sender.js';
import { sframeEncrypt } from './sframe.js';
import { keyPair } from './testing/keys.js';

const metadata = new Uint8Array([0xaa]);
const payload = new Uint8Array([9, 8, 7]);

async function sealed(kid: bigint, ctr: bigint, seed?: number): Promise<Uint8Array> {
  return sframeEncrypt((await keyPair(kid, seed)).send, ctr, metadata, payload);
}

describe('SFrameKeyRing', () => {
  it('decrypts frames for the KIDs it holds', async () => {
    const ring = new SFrameKeyRing();
    ring.add((await keyPair(0x21n)).receive);
    const result = await ring.decrypt(metadata, await sealed(0x21n, 0n));
    expect(result.ok && { kid: result.value.kid, ctr: result.value.ctr, pt: toHex(result.value.plaintext) }).toEqual({ kid: 0x21n, ctr: 0n, pt: '090807' });
  });

  it('answers an unknown KID with a typed failure naming it', async () => {
    const ring = new SFrameKeyRing();
    ring.add((await keyPair(0x21n)).receive);
    expect(await ring.decrypt(metadata, await sealed(0x31n, 4n))).toMatchObject({ ok: false, failure: { code: 'unknown-key-id', kid: 0x31n, ctr: 4n } });
  });

  it('answers a key mismatch (same KID, other base key) with authentication-failed', async () => {
    const ring = new SFrameKeyRing();
    ring.add((await keyPair(0x21n, 1)).receive);
    expect(await ring.decrypt(metadata, await sealed(0x21n, 0n, 2))).toMatchObject({ ok: false, failure: { code: 'authentication-failed', kid: 0x21n } });
  });

  it('rejects a replayed frame and a frame older than the window', async () => {
    const ring = new SFrameKeyRing({ replayWindow: 16 });
    ring.add((await keyPair(1n)).receive);
    const first = await sealed(1n, 0n);
    expect((await ring.decrypt(metadata, first)).ok).toBe(true);
    const other = sframeEncrypt((await keyPair(1n)).send, 0n, metadata, new Uint8Array([1, 2, 3]));
    expect(await ring.decrypt(metadata, await other)).toMatchObject({ ok: false, failure: { code: 'replayed-frame', kid: 1n, ctr: 0n } });
    const old = await sealed(1n, 3n);
    expect((await ring.decrypt(metadata, await sealed(1n, 40n))).ok).toBe(true);
    expect(await ring.decrypt(metadata, old)).toMatchObject({ ok: false, failure: { code: 'stale-frame', ctr: 3n } });
  });

  it('accepts out-of-order frames inside the window, each once', async () => {
    const ring = new SFrameKeyRing();
    ring.add((await keyPair(1n)).receive);
    const frames = await Promise.all([0n, 1n, 2n, 3n].map((ctr) => sealed(1n, ctr)));
    for (const index of [2, 0, 3, 1]) expect((await ring.decrypt(metadata, frames[index]!)).ok).toBe(true);
    // Two copies decrypting at once: exactly one is accepted.
    const copy = await sealed(1n, 9n);
    const both = await Promise.all([ring.decrypt(metadata, copy), ring.decrypt(metadata, copy.slice())]);
    expect(both.filter((r) => r.ok)).toHaveLength(1);
    expect(both.find((r) => !r.ok)).toMatchObject({ failure: { code: 'retransmitted-frame' } });
  });

  it("drops a byte-identical copy of an accepted frame (Firefox's key-frame retransmission) as retransmitted-frame, not as a replay", async () => {
    const ring = new SFrameKeyRing();
    ring.add((await keyPair(1n)).receive);
    const frame = await sealed(1n, 5n);
    expect((await ring.decrypt(metadata, frame)).ok).toBe(true);
    const copy = await ring.decrypt(metadata, frame.slice());
    expect(copy).toMatchObject({ ok: false, failure: { code: 'retransmitted-frame', kid: 1n, ctr: 5n } });
  });

  it('keeps a same-CTR frame with other bytes a replay: other payload, other metadata, or a copy of a frame that failed', async () => {
    const ring = new SFrameKeyRing();
    ring.add((await keyPair(1n)).receive);
    const frame = await sealed(1n, 5n);
    expect((await ring.decrypt(metadata, frame)).ok).toBe(true);
    const otherPayload = await sframeEncrypt((await keyPair(1n)).send, 5n, metadata, new Uint8Array([9, 8, 6]));
    expect(await ring.decrypt(metadata, otherPayload)).toMatchObject({ ok: false, failure: { code: 'replayed-frame' } });
    expect(await ring.decrypt(new Uint8Array([0xab]), frame)).toMatchObject({ ok: false, failure: { code: 'replayed-frame' } });
    const tampered = frame.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(await ring.decrypt(metadata, tampered)).toMatchObject({ ok: false, failure: { code: 'replayed-frame' } });
  });

  it('remembers only the last few accepted frames per KID: an older copy is a replay again', async () => {
    const ring = new SFrameKeyRing();
    ring.add((await keyPair(1n)).receive);
    const first = await sealed(1n, 0n);
    expect((await ring.decrypt(metadata, first)).ok).toBe(true);
    for (let ctr = 1n; ctr <= 8n; ctr++) expect((await ring.decrypt(metadata, await sealed(1n, ctr))).ok).toBe(true);
    expect(await ring.decrypt(metadata, first)).toMatchObject({ ok: false, failure: { code: 'replayed-frame' } });
  });

  it('forged frames do not move the replay window', async () => {
    const ring = new SFrameKeyRing({ replayWindow: 8 });
    ring.add((await keyPair(1n)).receive);
    const forged = await sealed(1n, 1000n, 99);
    expect(await ring.decrypt(metadata, forged)).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
    expect((await ring.decrypt(metadata, await sealed(1n, 5n))).ok).toBe(true);
  });

  it('bridges a rekey: the old KID keeps working until it is pushed out', async () => {
    const sender = new SFrameSender();
    const ring = new SFrameKeyRing({ capacity: 2 });
    const generations = await Promise.all([0x10n, 0x100010n, 0x200010n].map((kid) => keyPair(kid)));

    sender.setKey(generations[0]!.send);
    ring.add(generations[0]!.receive);
    const late = await sender.encrypt(metadata, payload); // still in flight when the rekey happens

    ring.add(generations[1]!.receive);
    sender.setKey(generations[1]!.send);
    const fresh = await sender.encrypt(metadata, payload);
    if (!late.ok || !fresh.ok) throw new Error('encryption failed');
    expect((await ring.decrypt(metadata, fresh.value)).ok).toBe(true);
    expect((await ring.decrypt(metadata, late.value)).ok).toBe(true);

    // A third generation pushes the first out: capacity 2.
    expect(ring.add(generations[2]!.receive)).toEqual([0x10n]);
    expect(ring.kids).toEqual([0x100010n, 0x200010n]);
    const stray = await sframeEncrypt((await keyPair(0x10n)).send, 1n, metadata, payload);
    expect(await ring.decrypt(metadata, stray)).toMatchObject({ ok: false, failure: { code: 'unknown-key-id', kid: 0x10n } });

    expect(ring.remove(0x100010n)).toBe(true);
    expect(ring.has(0x100010n)).toBe(false);
  });

  it('refuses encryption keys and a second, different key for a held KID', async () => {
    const ring = new SFrameKeyRing();
    const pair = await keyPair(1n);
    expect(() => ring.add(pair.send)).toThrowError(expect.objectContaining({ code: 'wrong-key-usage' }));
    ring.add(pair.receive);
    expect(ring.add(pair.receive)).toEqual([]);
    const other = await keyPair(1n, 7);
    expect(() => ring.add(other.receive)).toThrowError(expect.objectContaining({ code: 'duplicate-key-id' }));
  });

  it('reports garbage as malformed-header, never throwing', async () => {
    const ring = new SFrameKeyRing();
    expect(await ring.decrypt(metadata, new Uint8Array([0xff]))).toMatchObject({ ok: false, failure: { code: 'malformed-header' } });
    expect(await ring.decrypt(metadata, new Uint8Array(0))).toMatchObject({ ok: false, failure: { code: 'malformed-header' } });
  });

  it('rejects a nonsensical capacity or window', () => {
    expect(() => new SFrameKeyRing({ capacity: 0 })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new SFrameKeyRing({ replayWindow: 0 })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
