import { GroupReceiveKeys, TrackSlot, VP8_DELTA_FRAME_CLEAR_BYTES, VP8_KEY_FRAME_CLEAR_BYTES, decodeHeader, generateSenderSecret, parseKeyId } from '@parley/media-e2ee';
import { OpusPacketizer, Vp8Packetizer, Vp8RtpPayload } from 'werift';
import { describe, expect, it } from 'vitest';
import { TrackEncryptor } from './track-encryptor.js';

/** A VP8 key frame: frame tag (bit 0 clear), start code, 160x120, then "compressed data". */
function vp8KeyFrame(size: number): Uint8Array {
  const frame = new Uint8Array(size).map((_, i) => (i * 7) & 0xff);
  frame.set([0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 160, 0, 120, 0], 0);
  return frame;
}

const SENDER = 5;

function headerOf(bytes: Uint8Array) {
  const decoded = decodeHeader(bytes);
  if (!decoded.ok) throw new Error(decoded.failure.message);
  return decoded.value;
}

describe('a bot track\'s SFrame (what the call app\'s receivers decrypt)', () => {
  it('keeps a VP8 key frame\'s 10-byte payload header in clear and decrypts with the receive keys browsers use', async () => {
    const secret = generateSenderSecret();
    const encryptor = await TrackEncryptor.create('vp8', secret, { sender: SENDER, generation: 0, track: TrackSlot.camera });
    const frame = vp8KeyFrame(3_000);
    const sealed = (await encryptor.encrypt(frame))!;
    expect(sealed.subarray(0, VP8_KEY_FRAME_CLEAR_BYTES)).toEqual(frame.subarray(0, VP8_KEY_FRAME_CLEAR_BYTES));
    // Right after the clear prefix: the SFrame header, naming this bot's camera, generation 0.
    const header = headerOf(sealed.subarray(VP8_KEY_FRAME_CLEAR_BYTES));
    expect(parseKeyId(header.kid)).toEqual({ generation: 0n, sender: SENDER, track: TrackSlot.camera });
    expect(sealed.subarray(VP8_KEY_FRAME_CLEAR_BYTES + header.length, VP8_KEY_FRAME_CLEAR_BYTES + header.length + 32)).not.toEqual(frame.subarray(VP8_KEY_FRAME_CLEAR_BYTES, VP8_KEY_FRAME_CLEAR_BYTES + 32));

    const receiver = new GroupReceiveKeys();
    receiver.addKey(SENDER, 0n, secret);
    const opened = await receiver.decrypt('vp8', sealed, { from: SENDER });
    expect(opened.ok && opened.value.data).toEqual(frame);
  });

  it('keeps 3 bytes of a delta frame in clear; a changed clear byte fails authentication', async () => {
    const secret = generateSenderSecret();
    const encryptor = await TrackEncryptor.create('vp8', secret, { sender: SENDER, generation: 0, track: TrackSlot.camera });
    const delta = new Uint8Array(400).map((_, i) => i & 0xff);
    delta[0] = 0x31;
    const sealed = (await encryptor.encrypt(delta))!;
    expect(sealed.subarray(0, VP8_DELTA_FRAME_CLEAR_BYTES)).toEqual(delta.subarray(0, VP8_DELTA_FRAME_CLEAR_BYTES));
    const receiver = new GroupReceiveKeys();
    receiver.addKey(SENDER, 0n, secret);
    const tampered = sealed.slice();
    tampered[1]! ^= 0x01;
    expect((await receiver.decrypt('vp8', tampered, { from: SENDER })).ok).toBe(false);
    const opened = await receiver.decrypt('vp8', sealed, { from: SENDER });
    expect(opened.ok && opened.value.data).toEqual(delta);
  });

  it('encrypts Opus whole, on the microphone slot', async () => {
    const secret = generateSenderSecret();
    const encryptor = await TrackEncryptor.create('opus', secret, { sender: SENDER, generation: 0, track: TrackSlot.microphone });
    const packet = new Uint8Array(80).fill(0x78);
    const sealed = (await encryptor.encrypt(packet))!;
    expect(parseKeyId(headerOf(sealed).kid)).toEqual({ generation: 0n, sender: SENDER, track: TrackSlot.microphone });
    const receiver = new GroupReceiveKeys();
    receiver.addKey(SENDER, 0n, secret);
    const opened = await receiver.decrypt('opus', sealed, { from: SENDER });
    expect(opened.ok && opened.value.data).toEqual(packet);
  });

  it('packetizes an encrypted key frame so the first RTP payload starts with the clear VP8 header and the marker ends the frame', async () => {
    const encryptor = await TrackEncryptor.create('vp8', generateSenderSecret(), { sender: SENDER, generation: 0, track: TrackSlot.camera });
    const frame = vp8KeyFrame(3_000);
    const sealed = Buffer.from((await encryptor.encrypt(frame))!);
    const packets = new Vp8Packetizer({ maxPayloadSize: 1_100 }).packetize(sealed, 1234);
    expect(packets.length).toBe(3);
    expect(packets.map((p) => p.header.marker)).toEqual([false, false, true]);
    expect(packets.every((p) => p.header.timestamp === 1234)).toBe(true);
    const payloads = packets.map((p) => Vp8RtpPayload.deSerialize(p.payload));
    // What Janus and Chromium read before decryption: S bit and a key frame.
    expect(payloads[0]!.sBit).toBe(1);
    expect(payloads[0]!.isKeyframe).toBe(true);
    expect(Buffer.concat(payloads.map((p) => p.payload))).toEqual(sealed);
  });

  it('sends one Opus packet per RTP packet', async () => {
    const packets = new OpusPacketizer().packetize(Buffer.alloc(90, 1), 960);
    expect(packets).toHaveLength(1);
  });
});
