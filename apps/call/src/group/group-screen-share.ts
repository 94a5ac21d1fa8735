/**
 * This device's shared screen in a group call, as Solid signals for the call stage: claim the
 * screen (refused while someone else presents), send it beside the camera (renegotiating the
 * publisher the first time), stop it — from the button or the browser's own "Stop sharing" — and
 * give way when someone who joined earlier claimed it at the same moment (group-presenter.ts).
 * Lives as long as the stage of one join: a rejoin's new media starts without a screen.
 */
import type { GroupCall, GroupMediaSession } from '@parley/call-engine';
import { createSignal, onCleanup } from 'solid-js';
import type { ScreenCapture } from '../media/screen-capture.js';

/** What the stage says about sharing: a capture that failed or has no sound, a refusal, or a claim lost. */
export type GroupShareNotice =
  | { readonly kind: 'failed' | 'unsupported' | 'no-sound' }
  /** Someone else presents: only one screen at a time. */
  | { readonly kind: 'refused'; readonly presenter: number }
  /** Someone who joined earlier started at the same moment, and theirs counts: this share stopped. */
  | { readonly kind: 'lost'; readonly presenter: number };

/** What the screen share needs of the call and its media. */
export interface GroupScreenShareDeps {
  readonly call: () => Pick<GroupCall<GroupMediaSession>, 'present' | 'stopPresenting' | 'renegotiatePublisher' | 'presentationLost$'> | null;
  /** The media's screen sender (RtcGroupMedia.shareScreen): true when the publisher must be renegotiated. */
  readonly media: { shareScreen(screen: MediaStream | null): Promise<boolean> };
}

/** Call inside a Solid owner (the stage): its cleanup stops a screen still shared. */
export function createGroupScreenShare(deps: GroupScreenShareDeps) {
  const [screen, setScreen] = createSignal<MediaStream | null>(null);
  const [notice, setNotice] = createSignal<GroupShareNotice | null>(null);

  const stopTracks = (stream: MediaStream) => stream.getTracks().forEach((track) => track.stop());

  /** Stops sending the screen; `claimed`: the claim is still ours to give back. */
  async function stop(claimed = true): Promise<void> {
    const stream = screen();
    if (!stream) return;
    setScreen(null);
    if (claimed) deps.call()?.stopPresenting();
    if (notice()?.kind === 'no-sound') setNotice(null);
    stopTracks(stream);
    await deps.media.shareScreen(null).catch(() => {});
  }

  const lost = deps.call()?.presentationLost$.subscribe((presenter) => {
    void stop(false);
    setNotice({ kind: 'lost', presenter });
  });
  onCleanup(() => {
    lost?.unsubscribe();
    const stream = screen();
    if (stream) stopTracks(stream);
  });

  return {
    /** The screen this device shares, or null. */
    screen,
    notice,
    /** Someone else presents: says so instead of asking for a screen. */
    refuse(presenter: number): void {
      setNotice({ kind: 'refused', presenter });
    },
    /** Shares what the browser's picker gave (after the trust warning). */
    async start(captured: ScreenCapture): Promise<void> {
      setNotice(null);
      if (!captured.ok) {
        // The user's own cancel needs no word; a capture that failed or cannot happen does.
        if (captured.reason !== 'cancelled') setNotice({ kind: captured.reason });
        return;
      }
      const stream = captured.stream;
      const call = deps.call();
      const answer = call?.present();
      if (!call || !answer?.ok) {
        stopTracks(stream);
        if (answer && !answer.ok) setNotice({ kind: 'refused', presenter: answer.presenter });
        return;
      }
      setScreen(stream);
      // The browser's own "Stop sharing" ends the track.
      stream.getVideoTracks()[0]?.addEventListener('ended', () => void stop());
      try {
        if (await deps.media.shareScreen(stream)) await call.renegotiatePublisher();
      } catch {
        await stop();
        setNotice({ kind: 'failed' });
        return;
      }
      if (!captured.withSound && screen() === stream) setNotice({ kind: 'no-sound' });
    },
    stop: () => stop(),
    dismiss: () => setNotice(null),
  };
}

export type GroupScreenShare = ReturnType<typeof createGroupScreenShare>;
