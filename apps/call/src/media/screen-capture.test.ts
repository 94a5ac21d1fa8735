import { describe, expect, it } from 'vitest';
import { captureScreen, refusalOf } from './screen-capture.js';

const domError = (name: string, message = '') => Object.assign(new Error(message), { name });

/** A stand-in MediaStream: only the track lists captureScreen reads. */
function streamOf(kinds: ('audio' | 'video')[]): MediaStream {
  const tracks = kinds.map((kind) => ({ kind, stopped: false, stop() { this.stopped = true; } }));
  return {
    getTracks: () => tracks,
    getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
  } as unknown as MediaStream;
}

const rejecting = (error: unknown) => ({ getDisplayMedia: () => Promise.reject(error) });

describe('asking for a screen to share', () => {
  it("takes the picker's NotAllowedError as the user's cancel", async () => {
    expect(await captureScreen(rejecting(domError('NotAllowedError', 'Permission denied')))).toEqual({ ok: false, reason: 'cancelled' });
    expect(refusalOf(domError('NotAllowedError', 'The request is not allowed by the user agent or the platform in the current context.'))).toBe('cancelled');
  });

  it("reports headless Firefox's NotFoundError, an unreadable source and a system refusal as failures, not as a cancel", async () => {
    expect(await captureScreen(rejecting(domError('NotFoundError', 'The object can not be found here.')))).toEqual({ ok: false, reason: 'failed' });
    expect(refusalOf(domError('NotReadableError'))).toBe('failed');
    expect(refusalOf(domError('AbortError'))).toBe('failed');
    expect(refusalOf(domError('NotAllowedError', 'Permission denied by system'))).toBe('failed');
    expect(refusalOf('not even an error')).toBe('failed');
  });

  it('says when the browser has no screen capture at all', async () => {
    expect(await captureScreen(undefined)).toEqual({ ok: false, reason: 'unsupported' });
    expect(await captureScreen({} as MediaDevices)).toEqual({ ok: false, reason: 'unsupported' });
  });

  it("says whether the screen's sound came with it (Firefox never gives it)", async () => {
    const silent = await captureScreen({ getDisplayMedia: async () => streamOf(['video']) });
    expect(silent).toMatchObject({ ok: true, withSound: false });
    const withSound = await captureScreen({ getDisplayMedia: async () => streamOf(['video', 'audio']) });
    expect(withSound).toMatchObject({ ok: true, withSound: true });
  });

  it('treats a capture without video as failed and stops what it got', async () => {
    const stream = streamOf(['audio']);
    expect(await captureScreen({ getDisplayMedia: async () => stream })).toEqual({ ok: false, reason: 'failed' });
    expect(stream.getTracks().every((t) => (t as unknown as { stopped: boolean }).stopped)).toBe(true);
  });
});
