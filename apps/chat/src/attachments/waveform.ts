/**
 * A voice message's waveform and length, computed from the recording (Web Audio, so DOM: it
 * lives in the chat app): the peak of each of WAVEFORM_BARS slices, scaled to 0–255.
 */

/** Bars of a waveform. */
export const WAVEFORM_BARS = 48;

/** Peaks of `samples` in `bars` equal slices, 0–255, the loudest slice at 255. */
export function peaksOf(samples: Float32Array, bars = WAVEFORM_BARS): number[] {
  const peaks: number[] = [];
  const slice = Math.max(1, Math.floor(samples.length / bars));
  for (let bar = 0; bar < bars; bar++) {
    let peak = 0;
    for (let i = bar * slice; i < Math.min(samples.length, (bar + 1) * slice); i++) peak = Math.max(peak, Math.abs(samples[i]!));
    peaks.push(peak);
  }
  const loudest = Math.max(...peaks, 1e-6);
  return peaks.map((peak) => Math.round((peak / loudest) * 255));
}

/** The waveform and duration of a recording; a recording the browser cannot decode gets a flat line and `fallbackMs`. */
export async function waveformOf(recording: ArrayBuffer, fallbackMs: number): Promise<{ waveform: number[]; durationMs: number }> {
  try {
    // An OfflineAudioContext decodes without an audio output (no autoplay policy in the way).
    const context = new OfflineAudioContext(1, 1, 48_000);
    const audio = await context.decodeAudioData(recording);
    return { waveform: peaksOf(audio.getChannelData(0)), durationMs: Math.round(audio.duration * 1000) };
  } catch {
    return { waveform: new Array<number>(WAVEFORM_BARS).fill(0), durationMs: Math.max(0, Math.round(fallbackMs)) };
  }
}
