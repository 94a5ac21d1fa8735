/**
 * The microphone's processing switches (noise suppression, echo cancellation, automatic gain):
 * the browser's getUserMedia constraints, remembered per microphone in this browser's storage so
 * a headset and a laptop microphone each keep their own, and applied live to the running track
 * with applyConstraints where the browser allows it.
 */
import { BehaviorSubject, type Observable } from 'rxjs';

/** Which of the browser's audio processing steps run on the microphone. */
export interface AudioProcessing {
  readonly noiseSuppression: boolean;
  readonly echoCancellation: boolean;
  readonly autoGainControl: boolean;
}

/** All on: what browsers do by default, and right for most rooms. */
export const DEFAULT_AUDIO_PROCESSING: AudioProcessing = Object.freeze({ noiseSuppression: true, echoCancellation: true, autoGainControl: true });

/** The microphone the settings are remembered for when none was picked: the browser's default one. */
export const DEFAULT_MICROPHONE = 'default';

const KEY_PREFIX = 'parley.call.audio-processing:';

/** Where the settings are kept (localStorage in the browser, a map in tests). */
export type SettingsStorage = Pick<Storage, 'getItem' | 'setItem'>;

function browserStorage(): SettingsStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage blocked (a privacy setting): the switches still work, for this call only.
    return null;
  }
}

/** The switches remembered for this microphone, or the defaults; anything unreadable reads as the defaults. */
export function loadAudioProcessing(microphone: string = DEFAULT_MICROPHONE, storage: SettingsStorage | null = browserStorage()): AudioProcessing {
  try {
    const stored = JSON.parse(storage?.getItem(KEY_PREFIX + microphone) ?? 'null') as Partial<Record<keyof AudioProcessing, unknown>> | null;
    if (!stored || typeof stored !== 'object') return DEFAULT_AUDIO_PROCESSING;
    const pick = (key: keyof AudioProcessing) => (typeof stored[key] === 'boolean' ? (stored[key] as boolean) : DEFAULT_AUDIO_PROCESSING[key]);
    return { noiseSuppression: pick('noiseSuppression'), echoCancellation: pick('echoCancellation'), autoGainControl: pick('autoGainControl') };
  } catch {
    return DEFAULT_AUDIO_PROCESSING;
  }
}

/** Remembers the switches for this microphone. */
export function saveAudioProcessing(processing: AudioProcessing, microphone: string = DEFAULT_MICROPHONE, storage: SettingsStorage | null = browserStorage()): void {
  try {
    storage?.setItem(KEY_PREFIX + microphone, JSON.stringify(processing));
  } catch {
    // Full or blocked storage: the switches apply to this call only.
  }
}

/** The getUserMedia audio constraints for a microphone (the default one when `microphone` is absent) with these switches. */
export function audioConstraints(processing: AudioProcessing, microphone?: string): MediaTrackConstraints {
  return { ...(microphone ? { deviceId: { exact: microphone } } : {}), ...processing };
}

/** Applies the switches to a running microphone track; false when the browser refused (they apply from the next call). */
export async function applyAudioProcessing(track: MediaStreamTrack | null | undefined, processing: AudioProcessing): Promise<boolean> {
  if (!track) return false;
  try {
    await track.applyConstraints({ ...track.getConstraints(), ...processing });
    return true;
  } catch {
    return false;
  }
}

/**
 * The switches of the microphone a call uses, as the call's media holds them: what to open the
 * microphone with, what a switch to another microphone opens it with (that one's own settings),
 * and a change from the settings sheet (remembered, applied live).
 */
export class MicrophoneProcessing {
  private readonly subject: BehaviorSubject<AudioProcessing>;
  /** The switches of the microphone in use. */
  readonly processing$: Observable<AudioProcessing>;

  constructor(
    private microphone: string = DEFAULT_MICROPHONE,
    private readonly storage: SettingsStorage | null = browserStorage(),
  ) {
    this.subject = new BehaviorSubject(loadAudioProcessing(microphone, storage));
    this.processing$ = this.subject.asObservable();
  }

  get current(): AudioProcessing {
    return this.subject.getValue();
  }

  /** The audio constraints to open the microphone in use with. */
  constraints(): MediaTrackConstraints {
    return audioConstraints(this.current, this.microphone === DEFAULT_MICROPHONE ? undefined : this.microphone);
  }

  /** The user picked another microphone: its own remembered switches, as constraints to open it with. */
  switchTo(microphone: string): MediaTrackConstraints {
    this.microphone = microphone;
    this.subject.next(loadAudioProcessing(microphone, this.storage));
    return this.constraints();
  }

  /** The user changed a switch: remembered for this microphone and applied to the running track. */
  change(processing: AudioProcessing, track: MediaStreamTrack | null | undefined): Promise<boolean> {
    saveAudioProcessing(processing, this.microphone, this.storage);
    this.subject.next(processing);
    return applyAudioProcessing(track, processing);
  }
}

/** Whether a running track reports these switches (a setting the browser does not report counts as applied). */
export function processingApplied(track: MediaStreamTrack | null | undefined, processing: AudioProcessing): boolean {
  if (!track) return false;
  const settings = track.getSettings() as Partial<Record<keyof AudioProcessing, boolean>>;
  return (Object.keys(processing) as (keyof AudioProcessing)[]).every((key) => settings[key] === undefined || settings[key] === processing[key]);
}
