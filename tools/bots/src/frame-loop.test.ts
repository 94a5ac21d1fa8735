import { isVp8KeyFrame } from '@parley/media-e2ee';
import { describe, expect, it } from 'vitest';
import { FrameLoop } from './frame-loop.js';

const vp8 = (key: boolean, id: number) => new Uint8Array([key ? 0x10 : 0x11, id]);
/** Key frames at 0 and 4 of 8. */
const clip = Array.from({ length: 8 }, (_, i) => vp8(i % 4 === 0, i));

describe('FrameLoop', () => {
  it('stamps video frames at the frame rate on the 90 kHz clock: 15 fps is 6,000 ticks a frame, 90,000 a second', () => {
    const loop = new FrameLoop(clip, { clockRate: 90_000, frameMs: 1000 / 15, startTimestamp: 1_000 });
    const stamps = Array.from({ length: 16 }, () => loop.next().timestamp);
    expect(stamps.slice(0, 3)).toEqual([1_000, 7_000, 13_000]);
    expect(stamps[15]! - stamps[0]!).toBe(90_000);
  });

  it('does not drift when a frame is a fractional number of ticks (30 fps at 90 kHz is exact; 24 fps at 48 kHz is 2,000)', () => {
    const loop = new FrameLoop(clip, { clockRate: 90_000, frameMs: 1000 / 7, startTimestamp: 0 });
    const stamps = Array.from({ length: 8 }, () => loop.next().timestamp);
    expect(stamps[7]).toBe(90_000);
  });

  it('stamps 20 ms Opus packets 960 ticks apart on the 48 kHz clock and wraps at 2^32', () => {
    const loop = new FrameLoop([new Uint8Array([0x78])], { clockRate: 48_000, frameMs: 20, startTimestamp: 2 ** 32 - 960 });
    expect([loop.next().timestamp, loop.next().timestamp, loop.next().timestamp]).toEqual([2 ** 32 - 960, 0, 960]);
  });

  it('plays the clip in a loop', () => {
    const loop = new FrameLoop(clip, { clockRate: 90_000, frameMs: 100 });
    expect(Array.from({ length: 10 }, () => loop.next().index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 0, 1]);
  });

  it('answers a key-frame request with the next key frame of the clip, skipping the delta frames before it', () => {
    const loop = new FrameLoop(clip, { clockRate: 90_000, frameMs: 100, startTimestamp: 0, isKeyFrame: isVp8KeyFrame });
    loop.next();
    loop.next();
    loop.requestKeyFrame();
    const frame = loop.next();
    expect(frame.index).toBe(4);
    expect(isVp8KeyFrame(frame.data)).toBe(true);
    // Time goes on at the frame rate: the jump skips content, not time.
    expect(frame.timestamp).toBe(2 * 9_000);
    expect(loop.next().index).toBe(5);
  });

  it('wraps to the first key frame when none is left before the end', () => {
    const loop = new FrameLoop(clip, { clockRate: 90_000, frameMs: 100, isKeyFrame: isVp8KeyFrame });
    for (let i = 0; i < 5; i++) loop.next();
    loop.requestKeyFrame();
    expect(loop.next().index).toBe(0);
  });

  it('ignores key-frame requests for a clip without key frames (audio)', () => {
    const loop = new FrameLoop([new Uint8Array([1]), new Uint8Array([2])], { clockRate: 48_000, frameMs: 20 });
    loop.next();
    loop.requestKeyFrame();
    expect(loop.next().index).toBe(1);
  });
});
