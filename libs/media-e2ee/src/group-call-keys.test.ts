// A group call's media keys end to end, with real encryption: each device has a LocalSenderKey
// (what it sends with) and a GroupReceiveKeys (everyone else's keys); key messages are handed over
// directly, as Signal would deliver them; a manual clock runs the rotation delay.
import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';
import { ManualClock } from '@parley/clock/testing';
import { CipherSuite } from './cipher-suite.js';
import type { SFrameResult } from './errors.js';
import { encryptFrame } from './frame-transform.js';
import { GroupReceiveKeys } from './group-receive-keys.js';
import { type GroupKeyMessage, LocalSenderKey, ROTATION_DELAY_MS, type SenderSecret } from './group-sender-keys.js';
import { decodeHeader } from './header.js';
import { TrackSlot, deriveTrackBaseKey, deriveTrackKey, parseKeyId } from './key-id.js';
import { SFrameKeyRing } from './key-ring.js';
import { deriveKeyMaterial } from './key-schedule.js';
import { SFrameSender } from './sender.js';
import { ratchetSenderSecret } from './sender-secret-ratchet.js';
import { sframeNonce } from './sframe.js';

const suite = CipherSuite.AES_128_GCM_SHA256_128;
const opusFrame = new Uint8Array([0xfc, 0xff, 0xfe, ...Array.from({ length: 60 }, (_, i) => (i * 13) & 0xff)]);
const vp8KeyFrame = new Uint8Array([0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01, ...Array.from({ length: 200 }, (_, i) => i & 0xff)]);

/** One participant's device: its sender key, its two tracks, and the keys of everyone else. */
class Device {
  readonly key: LocalSenderKey;
  readonly receive = new GroupReceiveKeys();
  readonly microphone = new SFrameSender();
  readonly camera = new SFrameSender();
  /** Every generation this device has sent with, in order. */
  readonly used: SenderSecret[] = [];
  #installed: Promise<void>;

  constructor(
    readonly name: string,
    readonly index: number,
    clock: ManualClock,
  ) {
    this.key = new LocalSenderKey({ sender: index, clock });
    this.#installed = this.#install(this.key.current);
    // Installs run one after another, so a later generation can never be overtaken by an earlier one.
    this.key.onSwitch((generation, secret) => (this.#installed = this.#installed.then(() => this.#install({ generation, secret }))));
  }

  async #install(key: SenderSecret): Promise<void> {
    const id = { generation: key.generation, sender: this.index };
    this.microphone.setKey(await deriveTrackKey(suite, key.secret, { ...id, track: TrackSlot.microphone }, 'encrypt'));
    this.camera.setKey(await deriveTrackKey(suite, key.secret, { ...id, track: TrackSlot.camera }, 'encrypt'));
    this.used.push(key);
  }

  /** One microphone frame as it leaves this device. */
  async speak(): Promise<Uint8Array> {
    await this.#installed;
    return unwrap(await encryptFrame(this.microphone, 'opus', opusFrame));
  }

  /** One camera frame as it leaves this device. */
  async film(): Promise<Uint8Array> {
    await this.#installed;
    return unwrap(await encryptFrame(this.camera, 'vp8', vp8KeyFrame));
  }

  /** True when this device can decrypt `frame` (a microphone frame) back to what was sent. */
  async hears(frame: Uint8Array): Promise<boolean> {
    const result = await this.receive.decrypt('opus', frame);
    return result.ok && toHex(result.value.data) === toHex(opusFrame);
  }

  async sees(frame: Uint8Array): Promise<boolean> {
    const result = await this.receive.decrypt('vp8', frame);
    return result.ok && toHex(result.value.data) === toHex(vp8KeyFrame);
  }
}

/** The call as the server sees it: who is in, and the Signal messages between them. */
class Call {
  readonly clock = new ManualClock();
  readonly devices = new Map<string, Device>();
  #nextIndex = 0;

  static async of(...names: string[]): Promise<Call> {
    const call = new Call();
    for (const name of names) call.devices.set(name, new Device(name, call.#nextIndex++, call.clock));
    for (const device of call.devices.values()) call.deliver(device.key.initialMessages(call.indicesExcept(device)));
    return call;
  }

  get(name: string): Device {
    const device = this.devices.get(name);
    if (device === undefined) throw new Error(`${name} is not in the call`);
    return device;
  }

  /** `name` joins: everyone already in ratchets and tells only the newcomer; the newcomer introduces itself. */
  async join(name: string): Promise<Device> {
    const newcomer = new Device(name, this.#nextIndex++, this.clock);
    const present = [...this.devices.values()];
    this.devices.set(name, newcomer);
    for (const device of present) this.deliver(await device.key.onJoin([newcomer.index]));
    this.deliver(newcomer.key.initialMessages(present.map((d) => d.index)));
    return newcomer;
  }

  /** `name` leaves (keeping, as an attacker would, every key it had): the others forget it and rotate. */
  async leave(name: string): Promise<Device> {
    const leaver = this.get(name);
    this.devices.delete(name);
    for (const device of this.devices.values()) {
      device.receive.forget(leaver.index);
      this.deliver(await device.key.onLeave(this.indicesExcept(device)));
    }
    return leaver;
  }

  deliver(messages: GroupKeyMessage[]): void {
    for (const m of messages) {
      const to = [...this.devices.values()].find((d) => d.index === m.to);
      to?.receive.addKey(m.sender, m.generation, m.secret);
    }
  }

  indicesExcept(device: Device): number[] {
    return [...this.devices.values()].filter((d) => d !== device).map((d) => d.index);
  }
}

function unwrap<T>(result: SFrameResult<T>): T {
  if (!result.ok) throw new Error(`${result.failure.code}: ${result.failure.message}`);
  return result.value;
}

function generationOf(frame: Uint8Array, clear = 0): bigint {
  return parseKeyId(unwrap(decodeHeader(frame.subarray(clear))).kid).generation;
}

describe('group call media keys', () => {
  it("frames A sends are decrypted by B and C, on every track, and A's KIDs name A", async () => {
    const call = await Call.of('A', 'B', 'C');
    const [A, B, C] = [call.get('A'), call.get('B'), call.get('C')];
    const voice = await A.speak();
    const video = await A.film();
    expect(await B.hears(voice)).toBe(true);
    expect(await C.hears(voice)).toBe(true);
    expect(await B.sees(video)).toBe(true);
    expect(await C.sees(video)).toBe(true);
    expect(parseKeyId(unwrap(decodeHeader(voice)).kid)).toEqual({ generation: 0n, sender: A.index, track: TrackSlot.microphone });
    expect(B.receive.statsOf(A.index)).toMatchObject({ decrypted: 2, dropped: 0 });
  });

  describe('when D joins', () => {
    it("A ratchets and switches at once: D decrypts A's frames from after the join, not those from before; B and C decrypt both with no message", async () => {
      const call = await Call.of('A', 'B', 'C');
      const [A, B, C] = [call.get('A'), call.get('B'), call.get('C')];
      const before = [await A.speak(), await A.speak()];
      const D = await call.join('D');
      const after = await A.speak();
      expect(generationOf(before[0]!)).toBe(0n);
      expect(generationOf(after)).toBe(1n);

      expect(await D.hears(after)).toBe(true);
      expect(await D.hears(before[0]!)).toBe(false);
      expect(D.receive.generationsOf(A.index)).toEqual([{ generation: 1n, origin: 'explicit', trusted: true }]);

      // Positive control: the frames are fine, only D's keys cannot open the old one.
      expect(await B.hears(before[0]!)).toBe(true);
      expect(await B.hears(after)).toBe(true);
      expect(await C.hears(before[1]!)).toBe(true);
      expect(await C.hears(after)).toBe(true);
      expect(B.receive.generationsOf(A.index).map((g) => [g.generation, g.origin])).toEqual([[0n, 'explicit'], [1n, 'derived']]);
    });

    it('everyone ratchets, and D is heard by all', async () => {
      const call = await Call.of('A', 'B', 'C');
      const D = await call.join('D');
      for (const name of ['A', 'B', 'C']) {
        const other = call.get(name);
        const frame = await other.speak();
        expect(generationOf(frame)).toBe(1n);
        expect(await D.hears(frame)).toBe(true);
        expect(await other.hears(await D.speak())).toBe(true);
      }
    });

    it('joins in quick succession compose: each newcomer decrypts from its own join on, earlier ones derive the later steps', async () => {
      const call = await Call.of('A', 'B');
      const [A, B] = [call.get('A'), call.get('B')];
      const D = await call.join('D');
      const beforeE = await A.speak();
      const E = await call.join('E');
      const afterE = await A.speak();
      expect(generationOf(afterE)).toBe(2n);
      expect(await E.hears(beforeE)).toBe(false);
      expect(await E.hears(afterE)).toBe(true);
      expect(await D.hears(beforeE)).toBe(true);
      expect(await D.hears(afterE)).toBe(true);
      expect(await B.hears(afterE)).toBe(true); // two steps from generation 0
    });
  });

  describe('when C leaves', () => {
    it("after the rotation delay A's new frames no longer decrypt with C's keys, while C's keys still open A's frames from before the leave", async () => {
      const call = await Call.of('A', 'B', 'C');
      const [A, B] = [call.get('A'), call.get('B')];
      const old = await A.speak();
      const C = await call.leave('C');
      call.clock.advance(ROTATION_DELAY_MS);
      const fresh = await A.speak();
      expect(generationOf(fresh)).toBe(1n);

      expect(await B.hears(fresh)).toBe(true);
      const refused = await C.receive.decrypt('opus', fresh);
      expect(refused).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
      expect(C.receive.statsOf(A.index)).toMatchObject({ consecutiveDropped: 1, lastFailure: 'authentication-failed' });

      // Positive control: C's keys are the right ones for A's media before the leave.
      expect(await C.hears(old)).toBe(true);
    });

    it('C ratcheting its old secret forward, any number of steps, gets a wrong key', async () => {
      const call = await Call.of('A', 'B', 'C');
      const A = call.get('A');
      const oldSecret = A.key.current.secret;
      await call.leave('C');
      call.clock.advance(ROTATION_DELAY_MS);
      const fresh = await A.speak();
      let guess: Uint8Array = oldSecret;
      for (let step = 1; step <= 16; step++) {
        guess = await ratchetSenderSecret(guess);
        const ring = new SFrameKeyRing();
        ring.add(await deriveTrackKey(suite, guess, { generation: BigInt(step), sender: A.index, track: TrackSlot.microphone }, 'decrypt'));
        const result = await ring.decrypt(new Uint8Array(0), fresh);
        expect(result.ok).toBe(false);
      }
      // Positive control: the same path with the real secret opens it.
      const ring = new SFrameKeyRing();
      ring.add(await deriveTrackKey(suite, A.key.current.secret, { generation: 1n, sender: A.index, track: TrackSlot.microphone }, 'decrypt'));
      expect((await ring.decrypt(new Uint8Array(0), fresh)).ok).toBe(true);
    });

    it('frames sent during the delay window use the old generation and still decrypt at B after the switch, even out of order (the ring bridges)', async () => {
      const call = await Call.of('A', 'B', 'C');
      const [A, B] = [call.get('A'), call.get('B')];
      await call.leave('C');
      call.clock.advance(ROTATION_DELAY_MS - 1);
      const during = [await A.speak(), await A.film()];
      expect(during.map((f, i) => generationOf(f, i === 0 ? 0 : 10))).toEqual([0n, 0n]);
      call.clock.advance(1);
      const fresh = [await A.speak(), await A.film()];
      expect(fresh.map((f, i) => generationOf(f, i === 0 ? 0 : 10))).toEqual([1n, 1n]);
      // The fresh frames overtake the late ones on the way.
      expect(await B.hears(fresh[0]!)).toBe(true);
      expect(await B.sees(fresh[1]!)).toBe(true);
      expect(await B.hears(during[0]!)).toBe(true);
      expect(await B.sees(during[1]!)).toBe(true);
      expect(B.receive.generationsOf(A.index).map((g) => [g.generation, g.origin])).toEqual([[0n, 'explicit'], [1n, 'explicit']]);
    });

    it('a second leave while the rotation is pending supersedes it: D, who received the first fresh secret, cannot decrypt what follows', async () => {
      const call = await Call.of('A', 'B', 'C', 'D');
      const [A, B] = [call.get('A'), call.get('B')];
      await call.leave('C');
      call.clock.advance(1_000);
      const D = await call.leave('D');
      expect(D.receive.generationsOf(A.index).map((g) => g.generation)).toEqual([0n, 1n]); // D got the first fresh secret
      call.clock.advance(ROTATION_DELAY_MS);
      const fresh = await A.speak();
      expect(generationOf(fresh)).toBe(2n);
      expect(await B.hears(fresh)).toBe(true);
      expect(await D.receive.decrypt('opus', fresh)).toMatchObject({ ok: false, failure: { code: 'authentication-failed' } });
      // The superseded generation was never used for a frame.
      expect(A.used.map((u) => u.generation)).toEqual([0n, 2n]);
    });

    it('a join while the rotation is pending: the newcomer gets the pending secret and decrypts from the switch on, nothing before', async () => {
      const call = await Call.of('A', 'B', 'C');
      const [A, B] = [call.get('A'), call.get('B')];
      await call.leave('C');
      call.clock.advance(1_000);
      const E = await call.join('E');
      const during = await A.speak();
      expect(generationOf(during)).toBe(0n);
      expect(await E.hears(during)).toBe(false);
      expect(await B.hears(during)).toBe(true);
      call.clock.advance(ROTATION_DELAY_MS);
      const after = await A.speak();
      expect(generationOf(after)).toBe(1n);
      expect(await E.hears(after)).toBe(true);
      expect(await B.hears(after)).toBe(true);
      expect(await E.hears(await B.speak())).toBe(true);
    });
  });

  it('no (key, nonce) pair repeats across generations, tracks or senders', async () => {
    const call = await Call.of('A', 'B', 'C');
    const sent: { sender: Device; frame: Uint8Array; clear: number }[] = [];
    const sendSome = async () => {
      for (const name of call.devices.keys()) {
        const device = call.get(name);
        for (let i = 0; i < 3; i++) {
          sent.push({ sender: device, frame: await device.speak(), clear: 0 });
          sent.push({ sender: device, frame: await device.film(), clear: 10 });
        }
      }
    };
    await sendSome(); // generation 0
    await call.join('D');
    await sendSome(); // generation 1 (D at 0)
    await call.leave('B');
    await sendSome(); // still generation 1 during the delay
    call.clock.advance(ROTATION_DELAY_MS);
    await sendSome(); // generation 2 (D at 1)

    const pairs = new Set<string>();
    for (const { sender, frame, clear } of sent) {
      const { kid, ctr } = unwrap(decodeHeader(frame.subarray(clear)));
      const { generation } = parseKeyId(kid);
      const secret = sender.used.find((u) => u.generation === generation)!.secret;
      const material = await deriveKeyMaterial(suite, kid, await deriveTrackBaseKey(secret, kid));
      pairs.add(`${toHex(material.key)}:${toHex(sframeNonce(material.salt, ctr))}`);
    }
    expect(sent.length).toBe((3 + 4 + 3 + 3) * 6); // devices in each round × 3 frames on 2 tracks
    expect(call.get('A').used.map((u) => u.generation)).toEqual([0n, 1n, 2n]);
    expect(pairs.size).toBe(sent.length);
  });
});
