/**
 * A microphone that talks: a WAV file for Chromium's `--use-file-for-fake-audio-capture` (played in
 * a loop). The default fake microphone only beeps for a few milliseconds now and then, which a
 * level meter sampling ten times a second rarely catches; this one sounds like speech to a meter:
 * voiced bursts of half a second (a fundamental that moves, with harmonics) and short pauses.
 */
import { writeFileSync } from 'node:fs';

const RATE = 48_000;

/** The samples of `seconds` of "speech", in [-1, 1]. */
export function speechLikeSamples(seconds: number): Float32Array {
  const samples = new Float32Array(Math.round(seconds * RATE));
  let phase = 0;
  for (let i = 0; i < samples.length; i++) {
    const t = i / RATE;
    const inCycle = t % 0.75;
    if (inCycle >= 0.5) continue; // a pause between "syllables"
    // The pitch drifts between 140 and 220 Hz, as a voice does; harmonics give it a voice's spectrum.
    const pitch = 180 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * pitch) / RATE;
    const envelope = Math.sin((Math.PI * inCycle) / 0.5);
    samples[i] = 0.35 * envelope * (Math.sin(phase) + 0.5 * Math.sin(2 * phase) + 0.25 * Math.sin(3 * phase));
  }
  return samples;
}

/** Writes `samples` as a 16-bit mono PCM WAV file at 48 kHz. */
export function writeWav(path: string, samples: Float32Array): void {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((sample, i) => data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, sample)) * 32_767), i * 2));
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16); // fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(RATE, 24);
  header.writeUInt32LE(RATE * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // bytes per frame
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}
