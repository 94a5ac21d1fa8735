import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { ManualClock } from '@parley/clock/testing';
import { isSFrameError } from './errors.js';
import { type GroupKeyMessage, LocalSenderKey, ROTATION_DELAY_MS } from './group-sender-keys.js';
import { ratchetSenderSecret } from './sender-secret-ratchet.js';

// Participant indices: this device is A = 0; B = 1, C = 2, D = 3, E = 4.
const A = 0;
const B = 1;
const C = 2;
const D = 3;
const E = 4;

function setUp() {
  const clock = new ManualClock();
  const key = new LocalSenderKey({ sender: A, clock });
  const switches: { generation: bigint; secret: string; at: number }[] = [];
  key.onSwitch((generation, secret) => switches.push({ generation, secret: toHex(secret), at: clock.now() }));
  return { clock, key, switches, start: clock.now() };
}

/** What each message says, secrets as hex: easy to compare. */
function summary(messages: GroupKeyMessage[]) {
  return messages.map((m) => ({ to: m.to, sender: m.sender, generation: m.generation, secret: toHex(m.secret), reason: m.reason }));
}

describe('LocalSenderKey', () => {
  it('starts at generation 0 with a fresh 32-byte secret, introduced to the others (never to itself) as "initial"', () => {
    const { key } = setUp();
    expect(key.current.generation).toBe(0n);
    expect(key.current.secret.length).toBe(32);
    expect(toHex(new LocalSenderKey({ sender: A }).current.secret)).not.toBe(toHex(key.current.secret));
    expect(summary(key.initialMessages([A, B, C, B]))).toEqual([
      { to: B, sender: A, generation: 0n, secret: toHex(key.current.secret), reason: 'initial' },
      { to: C, sender: A, generation: 0n, secret: toHex(key.current.secret), reason: 'initial' },
    ]);
  });

  describe('when someone joins', () => {
    it('ratchets one generation, switches at once, and sends the new secret to the newcomers only', async () => {
      const { key, switches, start } = setUp();
      const before = key.current.secret;
      const expected = toHex(await ratchetSenderSecret(before));
      const messages = await key.onJoin([D, E]);
      expect(key.current).toMatchObject({ generation: 1n });
      expect(toHex(key.current.secret)).toBe(expected);
      expect(switches).toEqual([{ generation: 1n, secret: expected, at: start }]);
      expect(summary(messages)).toEqual([
        { to: D, sender: A, generation: 1n, secret: expected, reason: 'join' },
        { to: E, sender: A, generation: 1n, secret: expected, reason: 'join' },
      ]);
    });

    it('with nobody new (or only itself), changes nothing', async () => {
      const { key, switches } = setUp();
      expect(await key.onJoin([])).toEqual([]);
      expect(await key.onJoin([A])).toEqual([]);
      expect(key.current.generation).toBe(0n);
      expect(switches).toEqual([]);
    });

    it('composes: joins in quick succession (not awaited in between) take one step each, in order', async () => {
      const { key, switches } = setUp();
      const g0 = key.current.secret;
      const [toD, toE] = await Promise.all([key.onJoin([D]), key.onJoin([E])]);
      const g1 = await ratchetSenderSecret(g0);
      const g2 = await ratchetSenderSecret(g1);
      expect(summary(toD!)).toEqual([{ to: D, sender: A, generation: 1n, secret: toHex(g1), reason: 'join' }]);
      expect(summary(toE!)).toEqual([{ to: E, sender: A, generation: 2n, secret: toHex(g2), reason: 'join' }]);
      expect(switches.map((s) => s.generation)).toEqual([1n, 2n]);
    });
  });

  describe('when someone leaves', () => {
    it('draws a fresh secret for the next generation, sends it to those who remain, and switches only after the rotation delay', async () => {
      const { clock, key, switches, start } = setUp();
      const old = key.current.secret;
      const messages = await key.onLeave([B, D]);
      const fresh = messages[0]!.secret;
      expect(summary(messages)).toEqual([
        { to: B, sender: A, generation: 1n, secret: toHex(fresh), reason: 'leave' },
        { to: D, sender: A, generation: 1n, secret: toHex(fresh), reason: 'leave' },
      ]);
      // Fresh, not derived: whoever left cannot compute it from what they held.
      expect(toHex(fresh)).not.toBe(toHex(await ratchetSenderSecret(old)));
      expect(toHex(fresh)).not.toBe(toHex(old));

      expect(key.pending).toMatchObject({ generation: 1n, switchAt: start + ROTATION_DELAY_MS });
      clock.advance(ROTATION_DELAY_MS - 1);
      expect(switches).toEqual([]);
      expect(key.current.generation).toBe(0n);
      clock.advance(1);
      expect(switches).toEqual([{ generation: 1n, secret: toHex(fresh), at: start + ROTATION_DELAY_MS }]);
      expect(key.current.generation).toBe(1n);
      expect(key.pending).toBeUndefined();
    });

    it('rotates even when nobody remains (no messages), so frames stop using a key others held', async () => {
      const { clock, key, switches } = setUp();
      expect(await key.onLeave([])).toEqual([]);
      clock.advance(ROTATION_DELAY_MS);
      expect(switches.map((s) => s.generation)).toEqual([1n]);
    });

    it('a second leave while the rotation is pending supersedes it: a newer fresh secret, the full delay again, one switch', async () => {
      const { clock, key, switches, start } = setUp();
      const first = await key.onLeave([B, D]); // C left
      clock.advance(1_000);
      const second = await key.onLeave([B]); // D left too: D holds the first fresh secret
      expect(second.map((m) => [m.to, m.generation, m.reason])).toEqual([[B, 2n, 'leave']]);
      expect(toHex(second[0]!.secret)).not.toBe(toHex(first[0]!.secret));

      clock.advance(ROTATION_DELAY_MS - 1_000); // when the first would have switched
      expect(switches).toEqual([]);
      clock.advance(1_000);
      expect(switches).toEqual([{ generation: 2n, secret: toHex(second[0]!.secret), at: start + 1_000 + ROTATION_DELAY_MS }]);
      expect(clock.pendingDelays()).toEqual([]);
    });

    it('a join while the rotation is pending sends the newcomer the pending secret (never used yet) and keeps the schedule', async () => {
      const { clock, key, switches, start } = setUp();
      const current = toHex(key.current.secret);
      const leave = await key.onLeave([B]);
      clock.advance(500);
      const join = await key.onJoin([E]);
      expect(summary(join)).toEqual([{ to: E, sender: A, generation: 1n, secret: toHex(leave[0]!.secret), reason: 'join' }]);
      expect(toHex(key.current.secret)).toBe(current); // not given to E, still in use until the switch
      expect(switches).toEqual([]);
      clock.advance(ROTATION_DELAY_MS - 500);
      expect(switches).toEqual([{ generation: 1n, secret: toHex(leave[0]!.secret), at: start + ROTATION_DELAY_MS }]);
    });

    it('a join after the switch ratchets from the fresh secret', async () => {
      const { clock, key } = setUp();
      const [message] = await key.onLeave([B]);
      clock.advance(ROTATION_DELAY_MS);
      const [toE] = await key.onJoin([E]);
      expect(toE).toMatchObject({ generation: 2n, reason: 'join' });
      expect(toHex(toE!.secret)).toBe(toHex(await ratchetSenderSecret(message!.secret)));
    });

    it('initial messages during a pending rotation carry both the current and the pending secret', async () => {
      const { key } = setUp();
      await key.onLeave([B]);
      expect(key.initialMessages([B]).map((m) => m.generation)).toEqual([0n, 1n]);
    });
  });

  it('generations only grow, so no secret (and no KID) is ever reused', async () => {
    const { clock, key, switches } = setUp();
    await key.onJoin([D]);
    await key.onLeave([B, D]);
    await key.onLeave([B]);
    await key.onJoin([E]);
    clock.advance(ROTATION_DELAY_MS);
    await key.onJoin([C]);
    const generations = switches.map((s) => s.generation);
    expect(generations).toEqual([1n, 3n, 4n]);
    expect(new Set(switches.map((s) => s.secret)).size).toBe(switches.length);
  });

  it('after dispose, a pending switch never happens; an unsubscribed listener hears nothing', async () => {
    const { clock, key, switches } = setUp();
    const heard: bigint[] = [];
    const stop = key.onSwitch((g) => heard.push(g));
    stop();
    await key.onJoin([D]);
    expect(heard).toEqual([]);
    await key.onLeave([B]);
    key.dispose();
    clock.advance(ROTATION_DELAY_MS);
    expect(switches.map((s) => s.generation)).toEqual([1n]);
    expect(clock.pendingDelays()).toEqual([]);
  });

  it('refuses participant indices the KID cannot carry, and a secret that is not 32 bytes', async () => {
    expect(() => new LocalSenderKey({ sender: 65_536 })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    expect(() => new LocalSenderKey({ sender: 0, initial: { generation: 0n, secret: new Uint8Array(16) } })).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
    await expect(new LocalSenderKey({ sender: 0 }).onJoin([-1])).rejects.toSatisfy((e: unknown) => isSFrameError(e, 'invalid-argument'));
  });
});
