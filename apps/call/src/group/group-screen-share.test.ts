import { Subject } from 'rxjs';
import { createRoot } from 'solid-js';
import { describe, expect, it } from 'vitest';
import type { PresentAnswer } from '@parley/call-engine';
import { createGroupScreenShare } from './group-screen-share.js';

/** A captured track: records stop, fires `ended` as the browser's own "Stop sharing" does. */
class FakeTrack {
  stopped = false;
  private readonly listeners: (() => void)[] = [];
  constructor(readonly kind: 'audio' | 'video') {}
  stop() {
    this.stopped = true;
  }
  addEventListener(_type: 'ended', listener: () => void) {
    this.listeners.push(listener);
  }
  endByBrowser() {
    this.stopped = true;
    for (const listener of this.listeners) listener();
  }
}

function capture(withSound = true) {
  const video = new FakeTrack('video');
  const audio = new FakeTrack('audio');
  const tracks = withSound ? [video, audio] : [video];
  const stream = { getTracks: () => tracks, getVideoTracks: () => [video], getAudioTracks: () => tracks.filter((t) => t.kind === 'audio') } as unknown as MediaStream;
  return { video, audio, captured: { ok: true as const, stream, withSound } };
}

function setup(answer: PresentAnswer = { ok: true }, renegotiation: 'works' | 'fails' = 'works') {
  const log: string[] = [];
  const lost = new Subject<number>();
  const call = {
    present: () => {
      log.push('present');
      return answer;
    },
    stopPresenting: () => void log.push('stop-presenting'),
    renegotiatePublisher: async () => {
      log.push('renegotiate');
      if (renegotiation === 'fails') throw new Error('the SFU refused');
    },
    presentationLost$: lost,
  };
  let added = false;
  const media = {
    async shareScreen(screen: MediaStream | null) {
      log.push(screen ? 'send-screen' : 'send-nothing');
      const first = !!screen && !added;
      if (screen) added = true;
      return first;
    },
  };
  let dispose!: () => void;
  const share = createRoot((end) => {
    dispose = end;
    return createGroupScreenShare({ call: () => call, media });
  });
  return { share, log, lost, dispose: () => dispose() };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('group screen share', () => {
  it('claims the screen, sends it, renegotiates the publisher only the first time, and stops from the button', async () => {
    const { share, log } = setup();
    const first = capture();
    await share.start(first.captured);
    expect(share.screen()).toBe(first.captured.stream);
    expect(share.notice()).toBeNull();
    expect(log).toEqual(['present', 'send-screen', 'renegotiate']);
    await share.stop();
    expect(share.screen()).toBeNull();
    expect(first.video.stopped && first.audio.stopped).toBe(true);
    expect(log.slice(3)).toEqual(['stop-presenting', 'send-nothing']);

    log.length = 0;
    await share.start(capture().captured);
    expect(log).toEqual(['present', 'send-screen']);
  });

  it("stops when the browser's own stop ends the capture", async () => {
    const { share, log } = setup();
    const { video, captured } = capture();
    await share.start(captured);
    video.endByBrowser();
    await settle();
    expect(share.screen()).toBeNull();
    expect(log).toEqual(['present', 'send-screen', 'renegotiate', 'stop-presenting', 'send-nothing']);
  });

  it('says when the screen has no sound, and nothing when the user cancelled the picker', async () => {
    const { share } = setup();
    await share.start({ ok: false, reason: 'cancelled' });
    expect(share.notice()).toBeNull();
    await share.start({ ok: false, reason: 'unsupported' });
    expect(share.notice()).toEqual({ kind: 'unsupported' });
    await share.start(capture(false).captured);
    expect(share.notice()).toEqual({ kind: 'no-sound' });
  });

  it('refused while someone else presents: the capture is stopped at once and the notice names the presenter', async () => {
    const { share, log } = setup({ ok: false, presenter: 4 });
    const { video, captured } = capture();
    await share.start(captured);
    expect(share.screen()).toBeNull();
    expect(video.stopped).toBe(true);
    expect(share.notice()).toEqual({ kind: 'refused', presenter: 4 });
    expect(log).toEqual(['present']);
  });

  it('gives way when an earlier joiner claimed the screen at the same moment, without giving back a claim it no longer holds', async () => {
    const { share, log, lost } = setup();
    const { video, captured } = capture();
    await share.start(captured);
    lost.next(0);
    await settle();
    expect(share.screen()).toBeNull();
    expect(video.stopped).toBe(true);
    expect(share.notice()).toEqual({ kind: 'lost', presenter: 0 });
    expect(log).toEqual(['present', 'send-screen', 'renegotiate', 'send-nothing']);
  });

  it('a publisher renegotiation that fails stops the share, gives the claim back and says so', async () => {
    const { share, log } = setup({ ok: true }, 'fails');
    const { video, captured } = capture();
    await share.start(captured);
    expect(share.screen()).toBeNull();
    expect(video.stopped).toBe(true);
    expect(share.notice()).toEqual({ kind: 'failed' });
    expect(log).toEqual(['present', 'send-screen', 'renegotiate', 'stop-presenting', 'send-nothing']);
  });

  it('ends with the stage: a screen still shared is stopped', async () => {
    const { share, dispose } = setup();
    const { video, captured } = capture();
    await share.start(captured);
    dispose();
    expect(video.stopped).toBe(true);
  });
});
