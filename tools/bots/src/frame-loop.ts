/**
 * A clip's frames played in a loop on an RTP clock: each frame gets the timestamp its place in
 * time calls for (frame n of a 15 fps video at 90 kHz: start + n × 6,000), so receivers play at the
 * clip's rate however the sender's timers jitter. A key-frame request (PLI or FIR from the SFU)
 * makes the next frame the clip's next key frame, skipping the delta frames before it: a decoder
 * needs nothing before a key frame.
 */

/** One frame to send now. */
export interface TimedFrame {
  readonly data: Uint8Array;
  /** RTP timestamp (uint32, wraps). */
  readonly timestamp: number;
  /** Index of the frame in the clip. */
  readonly index: number;
}

export interface FrameLoopOptions {
  /** RTP clock rate: 90,000 for video, 48,000 for Opus. */
  readonly clockRate: number;
  /** How long each frame lasts, ms (1000 / fps for video). */
  readonly frameMs: number;
  /** The first frame's RTP timestamp (random in a real stream, RFC 3550 §5.1). */
  readonly startTimestamp?: number;
  /** Which frames a decoder can start from (video); none by default (audio needs none). */
  readonly isKeyFrame?: (frame: Uint8Array) => boolean;
}

export class FrameLoop {
  private readonly keyIndexes: readonly number[];
  private readonly startTimestamp: number;
  private cursor = 0;
  private sent = 0;
  private keyFrameWanted = false;

  constructor(
    private readonly frames: readonly Uint8Array[],
    private readonly options: FrameLoopOptions,
  ) {
    if (frames.length === 0) throw new RangeError('a frame loop needs at least one frame');
    if (!(options.clockRate > 0) || !(options.frameMs > 0)) throw new RangeError('clock rate and frame length must be positive');
    this.keyIndexes = options.isKeyFrame ? frames.flatMap((frame, index) => (options.isKeyFrame!(frame) ? [index] : [])) : [];
    this.startTimestamp = (options.startTimestamp ?? Math.floor(Math.random() * 2 ** 32)) >>> 0;
  }

  /** RTP timestamp units per frame (may be fractional; timestamps are rounded per frame, so they never drift). */
  get ticksPerFrame(): number {
    return (this.options.clockRate * this.options.frameMs) / 1000;
  }

  /** How many frames were handed out. */
  get framesSent(): number {
    return this.sent;
  }

  /** The next frame to send, with its timestamp. */
  next(): TimedFrame {
    if (this.keyFrameWanted) {
      this.keyFrameWanted = false;
      this.cursor = this.nextKeyIndex(this.cursor);
    }
    const index = this.cursor;
    const timestamp = (this.startTimestamp + Math.round(this.sent * this.ticksPerFrame)) >>> 0;
    this.cursor = (this.cursor + 1) % this.frames.length;
    this.sent++;
    return { data: this.frames[index]!, timestamp, index };
  }

  /** The SFU asked for a key frame: the next frame handed out is one (when the clip has any). */
  requestKeyFrame(): void {
    if (this.keyIndexes.length > 0) this.keyFrameWanted = true;
  }

  /** The first key frame at or after `from`, wrapping to the clip's first. */
  private nextKeyIndex(from: number): number {
    return this.keyIndexes.find((index) => index >= from) ?? this.keyIndexes[0]!;
  }
}
