/**
 * "You are muted" when the user speaks while muted: the microphone keeps running while muted (its
 * track only disabled), so a clone of it, never disabled, feeds a local analyser; nothing of it is
 * sent. The decision is a small state machine over level samples, so it is tested without audio.
 */
import { watchAudioLevel } from './audio-level.js';

/** A level (0–1, as watchAudioLevel gives it) from which the microphone hears speech, not room noise. */
export const SPEECH_LEVEL = 0.12;
/** Samples in a row above SPEECH_LEVEL before the hint shows (three: 0.3 s at ten samples a second). */
export const SPEECH_SAMPLES = 3;
/** Quiet samples after which the hint goes again (thirty: 3 s). */
export const QUIET_SAMPLES = 30;

/** Decides, sample by sample, whether to show the hint. */
export class MutedSpeechDetector {
  private loud = 0;
  private quiet = 0;
  private showing = false;

  /** One level sample while `muted` says whether the microphone is muted; returns whether the hint shows. */
  sample(level: number, muted: boolean): boolean {
    if (!muted) {
      this.loud = 0;
      this.quiet = 0;
      this.showing = false;
      return false;
    }
    if (level >= SPEECH_LEVEL) {
      this.loud += 1;
      this.quiet = 0;
      if (this.loud >= SPEECH_SAMPLES) this.showing = true;
    } else {
      this.loud = 0;
      this.quiet += 1;
      if (this.quiet >= QUIET_SAMPLES) this.showing = false;
    }
    return this.showing;
  }
}

/** Watches a microphone track (through a clone, so muting does not silence the analyser); `onHint` on every sample. */
export function watchMutedSpeech(track: MediaStreamTrack, muted: () => boolean, onHint: (show: boolean) => void): () => void {
  const listening = track.clone();
  listening.enabled = true;
  const detector = new MutedSpeechDetector();
  const stop = watchAudioLevel(listening, (level) => onHint(detector.sample(level, muted())));
  return () => {
    stop();
    listening.stop();
  };
}
