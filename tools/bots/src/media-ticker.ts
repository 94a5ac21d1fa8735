/**
 * One timer for every bot track in this process: 32 bots × (50 Opus + 15 VP8 frames/s) on
 * separate intervals would be ~2,000 timer callbacks a second. Each track says how long a frame
 * lasts; the ticker sends every frame that is due, catching up after a late tick, so the average
 * rate is exact and timer jitter only shifts a frame by a tick (the RTP timestamps stay exact, see
 * frame-loop.ts).
 */

/** Something sending one frame each `frameMs`. */
export interface PacedTrack {
  readonly frameMs: number;
  /** Sends the next frame; called once per due frame, in order. */
  sendFrame(): void;
}

/** Frames later than this are dropped rather than sent in a burst (the process was stalled). */
const MAX_CATCH_UP_FRAMES = 5;

export class MediaTicker {
  private readonly tracks = new Map<PacedTrack, { dueAt: number }>();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly tickMs = 10,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts pacing `track` (its first frame goes out on the next tick); returns the function that stops it. */
  add(track: PacedTrack): () => void {
    this.tracks.set(track, { dueAt: this.now() });
    this.timer ??= setInterval(() => this.tick(), this.tickMs);
    return () => this.remove(track);
  }

  /** Sends what is due now (the interval calls it; tests call it with a manual clock). */
  tick(): void {
    const now = this.now();
    for (const [track, state] of this.tracks) {
      if (now - state.dueAt > MAX_CATCH_UP_FRAMES * track.frameMs) state.dueAt = now - MAX_CATCH_UP_FRAMES * track.frameMs;
      while (state.dueAt <= now) {
        state.dueAt += track.frameMs;
        track.sendFrame();
      }
    }
  }

  private remove(track: PacedTrack): void {
    this.tracks.delete(track);
    if (this.tracks.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
  }
}

/** The ticker bots share unless given their own. */
export const sharedTicker = new MediaTicker();
