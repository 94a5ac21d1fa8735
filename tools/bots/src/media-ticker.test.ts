import { describe, expect, it } from 'vitest';
import { MediaTicker } from './media-ticker.js';

describe('MediaTicker', () => {
  it('sends 50 audio and 15 video frames a second from one timer, whatever its tick', () => {
    let now = 0;
    const ticker = new MediaTicker(10, () => now);
    const sent = { audio: 0, video: 0 };
    const stops = [ticker.add({ frameMs: 20, sendFrame: () => sent.audio++ }), ticker.add({ frameMs: 1000 / 15, sendFrame: () => sent.video++ })];
    for (now = 0; now < 1000; now += 13) ticker.tick();
    for (const stop of stops) stop();
    expect(sent).toEqual({ audio: 50, video: 15 });
  });

  it('catches up at most five frames after a stall instead of bursting', () => {
    let now = 0;
    const ticker = new MediaTicker(10, () => now);
    let sent = 0;
    const stop = ticker.add({ frameMs: 20, sendFrame: () => sent++ });
    ticker.tick();
    now = 2_000;
    ticker.tick();
    stop();
    expect(sent).toBe(1 + 6);
  });
});
