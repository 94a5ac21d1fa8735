/**
 * SFrame on a bot's outgoing track, exactly as the call app's worker does it (libs/media-e2ee
 * frame-transform.ts): one SFrameSender per track, its key derived from the bot's sender secret and
 * the KID generation << 20 | sender << 4 | track; VP8 keeps its payload header (10 bytes on key
 * frames, 3 on delta frames) in clear, Opus is encrypted whole.
 */
import { CipherSuite, type MediaCodec, SFrameSender, deriveTrackKey, encryptFrame } from '@parley/media-e2ee';

/** Whose key, which generation, which track: the KID fields. */
export interface TrackKeyId {
  readonly sender: number;
  readonly generation: number;
  readonly track: number;
}

export class TrackEncryptor {
  private constructor(
    private readonly sender: SFrameSender,
    readonly codec: MediaCodec,
  ) {}

  /** An encryptor for one track, keyed from the sender secret (AES_128_GCM_SHA256_128, the call app's suite). */
  static async create(codec: MediaCodec, secret: Uint8Array, id: TrackKeyId): Promise<TrackEncryptor> {
    const sender = new SFrameSender();
    sender.setKey(await deriveTrackKey(CipherSuite.AES_128_GCM_SHA256_128, secret, { sender: id.sender, generation: BigInt(id.generation), track: id.track }, 'encrypt'));
    return new TrackEncryptor(sender, codec);
  }

  /** The encrypted frame, or null when it cannot be sent (the failure is counted by the caller). */
  async encrypt(frame: Uint8Array): Promise<Uint8Array | null> {
    const sealed = await encryptFrame(this.sender, this.codec, frame);
    return sealed.ok ? sealed.value : null;
  }
}
