import { describe, expect, it } from 'vitest';
import { MutedSpeechDetector, QUIET_SAMPLES, SPEECH_LEVEL, SPEECH_SAMPLES } from './muted-speech.js';

const loud = SPEECH_LEVEL + 0.1;
const run = (detector: MutedSpeechDetector, level: number, muted: boolean, samples: number) => {
  let shown = false;
  for (let i = 0; i < samples; i++) shown = detector.sample(level, muted);
  return shown;
};

describe('MutedSpeechDetector', () => {
  it('shows the hint once the muted user has spoken for a moment, not on a single click', () => {
    const detector = new MutedSpeechDetector();
    expect(run(detector, loud, true, 1)).toBe(false);
    expect(run(detector, 0, true, 1)).toBe(false);
    expect(run(detector, loud, true, SPEECH_SAMPLES)).toBe(true);
  });

  it('keeps it through short pauses and drops it after a quiet while', () => {
    const detector = new MutedSpeechDetector();
    run(detector, loud, true, SPEECH_SAMPLES);
    expect(run(detector, 0, true, QUIET_SAMPLES - 1)).toBe(true);
    expect(run(detector, 0, true, 1)).toBe(false);
  });

  it('never shows while unmuted, and unmuting drops it at once', () => {
    const detector = new MutedSpeechDetector();
    expect(run(detector, loud, false, SPEECH_SAMPLES * 3)).toBe(false);
    run(detector, loud, true, SPEECH_SAMPLES);
    expect(detector.sample(loud, false)).toBe(false);
    expect(detector.sample(loud, true)).toBe(false);
  });

  it('ignores room noise below the speech level', () => {
    expect(run(new MutedSpeechDetector(), SPEECH_LEVEL / 2, true, 100)).toBe(false);
  });
});
