/**
 * Pre-encoded media a bot sends in a loop: VP8 frames (IVF container) and Opus packets (Ogg
 * container), the two formats ffmpeg writes and `clip-generator.ts` writes from Chromium's
 * WebCodecs. Only what a bot needs: frames in order, which are key frames, and their durations.
 */
import { concatBytes, utf8 } from '@parley/bytes';
import { isVp8KeyFrame } from '@parley/media-e2ee';

/** VP8 frames at a constant rate, the first one a key frame. */
export interface VideoClip {
  readonly width: number;
  readonly height: number;
  readonly fps: number;
  readonly frames: readonly Uint8Array[];
}

/** Opus packets back to back, each `frameMs` long. */
export interface AudioClip {
  readonly frameMs: number;
  readonly frames: readonly Uint8Array[];
}

export interface MediaClip {
  readonly video: VideoClip;
  readonly audio: AudioClip;
}

/** Why a clip file could not be read. */
export class ClipFormatError extends Error {
  constructor(readonly code: 'not-ivf' | 'not-vp8' | 'not-ogg' | 'not-opus' | 'truncated' | 'no-key-frame', message: string) {
    super(message);
    this.name = 'ClipFormatError';
  }
}

// ── IVF (VP8) ─────────────────────────────────────────────────────────────────────────────────

const IVF_HEADER_LENGTH = 32;
const IVF_FRAME_HEADER_LENGTH = 12;

/** Reads an IVF file of VP8 frames; the frame rate comes from its time base. */
export function readIvf(file: Uint8Array): VideoClip {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (file.length < IVF_HEADER_LENGTH || ascii(file, 0, 4) !== 'DKIF') throw new ClipFormatError('not-ivf', 'not an IVF file (no DKIF signature)');
  if (ascii(file, 8, 4) !== 'VP80') throw new ClipFormatError('not-vp8', `IVF holds ${ascii(file, 8, 4)}, not VP80`);
  const headerLength = view.getUint16(6, true);
  const width = view.getUint16(12, true);
  const height = view.getUint16(14, true);
  const rate = view.getUint32(16, true);
  const scale = view.getUint32(20, true) || 1;
  const frames: Uint8Array[] = [];
  for (let at = headerLength; at < file.length; ) {
    if (at + IVF_FRAME_HEADER_LENGTH > file.length) throw new ClipFormatError('truncated', `IVF frame header cut at byte ${at}`);
    const size = view.getUint32(at, true);
    at += IVF_FRAME_HEADER_LENGTH;
    if (at + size > file.length) throw new ClipFormatError('truncated', `IVF frame of ${size} bytes cut at byte ${at}`);
    frames.push(file.slice(at, at + size));
    at += size;
  }
  if (!frames[0] || !isVp8KeyFrame(frames[0])) throw new ClipFormatError('no-key-frame', 'the first VP8 frame is not a key frame');
  return { width, height, fps: rate / scale, frames };
}

/** Writes VP8 frames as IVF (time base 1/fps, one tick per frame). */
export function writeIvf(clip: VideoClip): Uint8Array {
  const size = IVF_HEADER_LENGTH + clip.frames.reduce((sum, f) => sum + IVF_FRAME_HEADER_LENGTH + f.length, 0);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(utf8('DKIF'), 0);
  view.setUint16(4, 0, true);
  view.setUint16(6, IVF_HEADER_LENGTH, true);
  out.set(utf8('VP80'), 8);
  view.setUint16(12, clip.width, true);
  view.setUint16(14, clip.height, true);
  view.setUint32(16, Math.round(clip.fps), true);
  view.setUint32(20, 1, true);
  view.setUint32(24, clip.frames.length, true);
  let at = IVF_HEADER_LENGTH;
  clip.frames.forEach((frame, index) => {
    view.setUint32(at, frame.length, true);
    view.setBigUint64(at + 4, BigInt(index), true);
    out.set(frame, at + IVF_FRAME_HEADER_LENGTH);
    at += IVF_FRAME_HEADER_LENGTH + frame.length;
  });
  return out;
}

// ── Ogg (Opus) ────────────────────────────────────────────────────────────────────────────────

const OGG_PAGE_HEADER_LENGTH = 27;

/** Reads an Ogg Opus file: its audio packets (headers skipped); the frame length from the first packet's TOC. */
export function readOggOpus(file: Uint8Array): AudioClip {
  const packets: Uint8Array[] = [];
  let pending: Uint8Array[] = [];
  for (let at = 0; at < file.length; ) {
    if (at + OGG_PAGE_HEADER_LENGTH > file.length || ascii(file, at, 4) !== 'OggS') throw new ClipFormatError('not-ogg', `no Ogg page at byte ${at}`);
    const segments = file[at + 26]!;
    const table = file.subarray(at + OGG_PAGE_HEADER_LENGTH, at + OGG_PAGE_HEADER_LENGTH + segments);
    let data = at + OGG_PAGE_HEADER_LENGTH + segments;
    for (const lacing of table) {
      if (data + lacing > file.length) throw new ClipFormatError('truncated', `Ogg segment cut at byte ${data}`);
      pending.push(file.subarray(data, data + lacing));
      data += lacing;
      // A lacing value under 255 ends a packet; 255 continues it in the next segment (or page).
      if (lacing < 255) {
        packets.push(concatBytes(...pending));
        pending = [];
      }
    }
    at = data;
  }
  const [head, tags, ...audio] = packets;
  if (!head || ascii(head, 0, 8) !== 'OpusHead') throw new ClipFormatError('not-opus', 'the first Ogg packet is not OpusHead');
  if (!tags || ascii(tags, 0, 8) !== 'OpusTags') throw new ClipFormatError('not-opus', 'the second Ogg packet is not OpusTags');
  const frames = audio.filter((p) => p.length > 0);
  return { frameMs: frames[0] ? opusPacketDurationMs(frames[0]) : 20, frames };
}

/** Writes Opus packets as an Ogg Opus file (one packet per page; mono, 48 kHz). */
export function writeOggOpus(clip: AudioClip, serial = 0x5041524c): Uint8Array {
  const head = new Uint8Array(19);
  head.set(utf8('OpusHead'), 0);
  head[8] = 1; // version
  head[9] = 1; // channels
  new DataView(head.buffer).setUint16(10, 312, true); // pre-skip (libopus's usual 6.5 ms)
  new DataView(head.buffer).setUint32(12, 48_000, true);
  const vendor = utf8('parley-bots');
  const tags = new Uint8Array(8 + 4 + vendor.length + 4);
  tags.set(utf8('OpusTags'), 0);
  new DataView(tags.buffer).setUint32(8, vendor.length, true);
  tags.set(vendor, 12);
  const pages: Uint8Array[] = [oggPage(head, { serial, sequence: 0, granule: 0n, first: true }), oggPage(tags, { serial, sequence: 1, granule: 0n })];
  let granule = 0n;
  clip.frames.forEach((frame, index) => {
    granule += BigInt(Math.round(clip.frameMs * 48));
    pages.push(oggPage(frame, { serial, sequence: index + 2, granule, last: index === clip.frames.length - 1 }));
  });
  return concatBytes(...pages);
}

function oggPage(packet: Uint8Array, page: { serial: number; sequence: number; granule: bigint; first?: boolean; last?: boolean }): Uint8Array {
  const lacing: number[] = [];
  for (let left = packet.length; ; left -= 255) {
    lacing.push(Math.min(left, 255));
    if (left < 255) break;
  }
  const out = new Uint8Array(OGG_PAGE_HEADER_LENGTH + lacing.length + packet.length);
  const view = new DataView(out.buffer);
  out.set(utf8('OggS'), 0);
  out[5] = (page.first ? 0x02 : 0) | (page.last ? 0x04 : 0);
  view.setBigInt64(6, page.granule, true);
  view.setUint32(14, page.serial, true);
  view.setUint32(18, page.sequence, true);
  out[26] = lacing.length;
  out.set(lacing, OGG_PAGE_HEADER_LENGTH);
  out.set(packet, OGG_PAGE_HEADER_LENGTH + lacing.length);
  view.setUint32(22, oggCrc(out), true);
  return out;
}

const OGG_CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let bit = 0; bit < 8; bit++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

/** Ogg's CRC-32 (polynomial 0x04c11db7, not reflected, initial 0) over a page with its CRC field zero. */
function oggCrc(page: Uint8Array): number {
  let crc = 0;
  for (const byte of page) crc = ((crc << 8) ^ OGG_CRC_TABLE[((crc >>> 24) ^ byte) & 0xff]!) >>> 0;
  return crc;
}

/** How long an Opus packet plays, from its TOC byte (RFC 6716 §3.1). */
export function opusPacketDurationMs(packet: Uint8Array): number {
  const toc = packet[0] ?? 0;
  const config = toc >> 3;
  const frameMs = config < 12 ? [10, 20, 40, 60][config % 4]! : config < 16 ? [10, 20][config % 2]! : [2.5, 5, 10, 20][config % 4]!;
  const code = toc & 0x03;
  const count = code === 0 ? 1 : code === 3 ? (packet[1] ?? 0) & 0x3f : 2;
  return frameMs * count;
}

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}
