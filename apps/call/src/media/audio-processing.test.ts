import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIO_PROCESSING, MicrophoneProcessing, applyAudioProcessing, processingApplied, audioConstraints, loadAudioProcessing, saveAudioProcessing } from './audio-processing.js';

function memoryStorage() {
  const items = new Map<string, string>();
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value), items };
}

describe('audio processing switches', () => {
  it('are all on until changed, and are remembered per microphone', () => {
    const storage = memoryStorage();
    expect(loadAudioProcessing('headset', storage)).toEqual(DEFAULT_AUDIO_PROCESSING);
    const quiet = { noiseSuppression: false, echoCancellation: true, autoGainControl: false };
    saveAudioProcessing(quiet, 'headset', storage);
    expect(loadAudioProcessing('headset', storage)).toEqual(quiet);
    expect(loadAudioProcessing('laptop', storage)).toEqual(DEFAULT_AUDIO_PROCESSING);
  });

  it('read damaged or foreign values as the defaults, switch by switch', () => {
    const storage = memoryStorage();
    storage.items.set('parley.call.audio-processing:default', '{not json');
    expect(loadAudioProcessing(undefined, storage)).toEqual(DEFAULT_AUDIO_PROCESSING);
    storage.items.set('parley.call.audio-processing:default', JSON.stringify({ noiseSuppression: 'no', echoCancellation: false }));
    expect(loadAudioProcessing(undefined, storage)).toEqual({ noiseSuppression: true, echoCancellation: false, autoGainControl: true });
  });

  it('work without storage (blocked): defaults, and saving does nothing', () => {
    expect(loadAudioProcessing('x', null)).toEqual(DEFAULT_AUDIO_PROCESSING);
    expect(() => saveAudioProcessing(DEFAULT_AUDIO_PROCESSING, 'x', null)).not.toThrow();
  });

  it('become getUserMedia constraints, with the microphone when one was picked', () => {
    const off = { noiseSuppression: false, echoCancellation: false, autoGainControl: false };
    expect(audioConstraints(off)).toEqual(off);
    expect(audioConstraints(off, 'mic-2')).toEqual({ deviceId: { exact: 'mic-2' }, ...off });
  });

  it('are applied to the running track, keeping its device; a refusal is reported, not thrown', async () => {
    const applied: MediaTrackConstraints[] = [];
    const track = { getConstraints: () => ({ deviceId: { exact: 'mic-2' } }), applyConstraints: async (c: MediaTrackConstraints) => void applied.push(c) } as unknown as MediaStreamTrack;
    expect(await applyAudioProcessing(track, { noiseSuppression: false, echoCancellation: true, autoGainControl: true })).toBe(true);
    expect(applied).toEqual([{ deviceId: { exact: 'mic-2' }, noiseSuppression: false, echoCancellation: true, autoGainControl: true }]);
    const refusing = { getConstraints: () => ({}), applyConstraints: async () => Promise.reject(new Error('OverconstrainedError')) } as unknown as MediaStreamTrack;
    expect(await applyAudioProcessing(refusing, DEFAULT_AUDIO_PROCESSING)).toBe(false);
    expect(await applyAudioProcessing(null, DEFAULT_AUDIO_PROCESSING)).toBe(false);
  });

  it("follow the microphone in use: a switch opens the new one with its own, a change is remembered for the one in use", async () => {
    const storage = memoryStorage();
    saveAudioProcessing({ noiseSuppression: false, echoCancellation: false, autoGainControl: true }, 'headset', storage);
    const mic = new MicrophoneProcessing(undefined, storage);
    expect(mic.constraints()).toEqual(DEFAULT_AUDIO_PROCESSING);
    expect(mic.switchTo('headset')).toEqual({ deviceId: { exact: 'headset' }, noiseSuppression: false, echoCancellation: false, autoGainControl: true });
    const track = { getConstraints: () => ({}), applyConstraints: async () => {} } as unknown as MediaStreamTrack;
    await mic.change({ ...mic.current, autoGainControl: false }, track);
    expect(loadAudioProcessing('headset', storage).autoGainControl).toBe(false);
    expect(loadAudioProcessing('default', storage)).toEqual(DEFAULT_AUDIO_PROCESSING);
  });

  it('tell whether a running track took them (Chromium keeps a live microphone\'s processing)', () => {
    const off = { noiseSuppression: false, echoCancellation: true, autoGainControl: true };
    const reporting = (settings: MediaTrackSettings) => ({ getSettings: () => settings }) as unknown as MediaStreamTrack;
    expect(processingApplied(reporting({ noiseSuppression: false, echoCancellation: true, autoGainControl: true }), off)).toBe(true);
    expect(processingApplied(reporting({ noiseSuppression: true, echoCancellation: true, autoGainControl: true }), off)).toBe(false);
    expect(processingApplied(reporting({ echoCancellation: true }), off)).toBe(true);
    expect(processingApplied(null, off)).toBe(false);
  });
});
