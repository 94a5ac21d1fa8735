/**
 * An optional check of what a bot receives (tests; costs CPU a benchmark does not want): frames
 * are reassembled from RTP and decrypted with the sender keys the others sent over Signal, the
 * way a browser's receive transform would. Counts only: a bot never plays anything.
 */
import { GroupReceiveKeys } from '@parley/media-e2ee';
import { type RtpPacket, Vp8RtpPayload } from 'werift';

export interface DecryptCounts {
  ok: number;
  failed: number;
}

export class ReceivedMediaCheck {
  private readonly keys = new GroupReceiveKeys();
  /** VP8 frames being reassembled, by SSRC. */
  private readonly partial = new Map<number, Buffer[]>();
  readonly counts: { audio: DecryptCounts; video: DecryptCounts } = { audio: { ok: 0, failed: 0 }, video: { ok: 0, failed: 0 } };

  /** A participant's sender secret, from their `group-key` message. */
  addKey(sender: number, generation: number, secret: Uint8Array): void {
    this.keys.addKey(sender, BigInt(generation), secret);
  }

  /** One received RTP packet of an audio (Opus) or video (VP8) track. */
  onRtp(kind: 'audio' | 'video', packet: RtpPacket): void {
    if (kind === 'audio') {
      void this.decrypt('audio', packet.payload);
      return;
    }
    const vp8 = Vp8RtpPayload.deSerialize(packet.payload);
    const ssrc = packet.header.ssrc;
    if (vp8.sBit === 1 && vp8.pid === 0) this.partial.set(ssrc, []);
    const parts = this.partial.get(ssrc);
    if (!parts) return;
    parts.push(vp8.payload);
    if (packet.header.marker) {
      this.partial.delete(ssrc);
      void this.decrypt('video', Buffer.concat(parts));
    }
  }

  private async decrypt(kind: 'audio' | 'video', frame: Uint8Array): Promise<void> {
    const opened = await this.keys.decrypt(kind === 'audio' ? 'opus' : 'vp8', frame);
    this.counts[kind][opened.ok ? 'ok' : 'failed']++;
  }
}
