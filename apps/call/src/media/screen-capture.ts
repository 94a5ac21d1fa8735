/**
 * Asking the browser for a screen to share, and telling the user's cancel from a failure.
 *
 * Every refusal of `getDisplayMedia` is an exception, but they mean different things: the user
 * closing the picker (`NotAllowedError`) is a choice and needs no word, while headless Firefox
 * (`NotFoundError`), a system that forbids capture, or a source that cannot be read is a failure
 * the user must hear about. Firefox never captures screen audio; Chromium only for some sources.
 */

/** What came of asking for a screen. */
export type ScreenCapture =
  | { readonly ok: true; readonly stream: MediaStream; /** The browser gave the screen's sound too. */ readonly withSound: boolean }
  | { readonly ok: false; readonly reason: ScreenCaptureRefusal };

/** Why no screen is shared: the user's choice, a browser that has no screen capture, or a failure. */
export type ScreenCaptureRefusal = 'cancelled' | 'unsupported' | 'failed';

/** Asks for a screen (with its sound where the browser can give it). Never throws. */
export async function captureScreen(devices: Pick<MediaDevices, 'getDisplayMedia'> | undefined): Promise<ScreenCapture> {
  if (typeof devices?.getDisplayMedia !== 'function') return { ok: false, reason: 'unsupported' };
  let stream: MediaStream;
  try {
    stream = await devices.getDisplayMedia({ video: true, audio: true });
  } catch (error) {
    return { ok: false, reason: refusalOf(error) };
  }
  if (stream.getVideoTracks().length === 0) {
    for (const track of stream.getTracks()) track.stop();
    return { ok: false, reason: 'failed' };
  }
  return { ok: true, stream, withSound: stream.getAudioTracks().length > 0 };
}

/** Classifies a `getDisplayMedia` rejection. */
export function refusalOf(error: unknown): ScreenCaptureRefusal {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  const message = error instanceof Error ? error.message : '';
  // Chromium says "Permission denied by system" when the operating system refused, not the user.
  if (name === 'NotAllowedError' && !/by system/i.test(message)) return 'cancelled';
  if (name === 'NotSupportedError') return 'unsupported';
  return 'failed';
}
