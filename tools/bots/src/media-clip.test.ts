import { utf8 } from '@parley/bytes';
import { describe, expect, it } from 'vitest';
import { ClipFormatError, opusPacketDurationMs, readIvf, readOggOpus, writeIvf, writeOggOpus } from './media-clip.js';

describe('clip files', () => {
  it('reads back the VP8 frames and frame rate it wrote as IVF', () => {
    const frames = [new Uint8Array([0x10, 1, 2, 3]), new Uint8Array([0x11, 4]), new Uint8Array([0x11])];
    const clip = readIvf(writeIvf({ width: 160, height: 120, fps: 15, frames }));
    expect(clip).toEqual({ width: 160, height: 120, fps: 15, frames });
  });

  it('refuses an IVF file whose first frame is not a key frame', () => {
    const file = writeIvf({ width: 2, height: 2, fps: 1, frames: [new Uint8Array([0x11])] });
    expect(() => readIvf(file)).toThrow(ClipFormatError);
  });

  it('reads back the Opus packets it wrote as Ogg, packets over 255 bytes included (lacing)', () => {
    const frames = [new Uint8Array(100).fill(0x78), new Uint8Array(255).fill(0x78), new Uint8Array(600).fill(0x78)];
    const clip = readOggOpus(writeOggOpus({ frameMs: 20, frames }));
    expect(clip.frames).toEqual(frames);
    expect(clip.frameMs).toBe(20);
  });

  it('refuses an Ogg file without OpusHead', () => {
    expect(() => readOggOpus(utf8('not ogg at all, sorry'))).toThrow(ClipFormatError);
  });

  it('tells an Opus packet\'s length from its TOC byte (RFC 6716 §3.1)', () => {
    // config 15 (hybrid FB 20 ms), code 0: one frame.
    expect(opusPacketDurationMs(new Uint8Array([(15 << 3) | 0]))).toBe(20);
    // config 31 (CELT FB 20 ms), code 1: two frames.
    expect(opusPacketDurationMs(new Uint8Array([(31 << 3) | 1]))).toBe(40);
    // config 1 (SILK NB 20 ms), code 3 with 3 frames.
    expect(opusPacketDurationMs(new Uint8Array([(1 << 3) | 3, 3]))).toBe(60);
  });
});
