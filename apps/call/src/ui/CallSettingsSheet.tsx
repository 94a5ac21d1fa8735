import X from 'lucide-solid/icons/x';
import type { Observable } from 'rxjs';
import { For, type JSX, Show, createEffect, createSignal, from, onCleanup, onMount } from 'solid-js';
import type { AudioProcessing } from '../media/audio-processing.js';
import type { CallMessages } from '../messages.js';
import { watchMutedSpeech } from './muted-speech.js';

/** The device pickers of a call: microphone, camera (video calls) and speaker. */
export function DevicePickers(props: {
  devices: readonly MediaDeviceInfo[];
  video: boolean;
  onPick: (kind: 'audioinput' | 'videoinput', deviceId: string) => void;
  onSpeaker: (deviceId: string) => void;
  t: CallMessages;
}) {
  const options = (kind: MediaDeviceKind) => props.devices.filter((d) => d.kind === kind && d.deviceId);
  const picker = (label: string, kind: MediaDeviceKind, onChange: (id: string) => void) => (
    <label class="call-field">
      <span>{label}</span>
      <select class="call-select" onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{props.t.deviceDefault}</option>
        <For each={options(kind)}>{(d) => <option value={d.deviceId}>{d.label || d.deviceId.slice(0, 8)}</option>}</For>
      </select>
    </label>
  );
  return (
    <fieldset class="call-devices">
      <legend>{props.t.devices}</legend>
      {picker(props.t.microphone, 'audioinput', (id) => id && props.onPick('audioinput', id))}
      <Show when={props.video}>{picker(props.t.cameraDevice, 'videoinput', (id) => id && props.onPick('videoinput', id))}</Show>
      {picker(props.t.speaker, 'audiooutput', props.onSpeaker)}
    </fieldset>
  );
}

/**
 * The sheet the call bar's "More" opens over the stage: devices, statistics, adding someone. A
 * non-modal dialog: the call stays usable beside it; Escape or its close button shuts it and the
 * focus goes back to "More".
 */
export function CallSettingsSheet(props: { id: string; t: CallMessages; onClose: () => void; children: JSX.Element }) {
  let sheet!: HTMLDivElement;
  onMount(() => sheet.focus());
  return (
    <div
      ref={sheet}
      id={props.id}
      class="call-sheet"
      role="dialog"
      aria-label={props.t.callSettings}
      tabIndex={-1}
      data-testid="call-settings"
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.stopPropagation();
        props.onClose();
      }}
    >
      <header class="call-sheet__header">
        <h2 class="call-sheet__title">{props.t.callSettings}</h2>
        <button type="button" class="call-icon-button" aria-label={props.t.closeSettings} title={props.t.closeSettings} onClick={() => props.onClose()}>
          <X aria-hidden="true" />
        </button>
      </header>
      {props.children}
    </div>
  );
}

/** The microphone's processing switches (noise suppression, echo cancellation, automatic gain), remembered per microphone. */
export function AudioSwitches(props: { processing: AudioProcessing; onChange: (next: AudioProcessing) => void; t: CallMessages }) {
  const toggle = (key: keyof AudioProcessing, label: string) => (
    <label class="call-switch">
      <input type="checkbox" role="switch" checked={props.processing[key]} onChange={(event) => props.onChange({ ...props.processing, [key]: event.currentTarget.checked })} />
      <span>{label}</span>
    </label>
  );
  return (
    <fieldset class="call-devices" data-testid="audio-switches">
      <legend>{props.t.audioProcessing}</legend>
      {toggle('noiseSuppression', props.t.noiseSuppression)}
      {toggle('echoCancellation', props.t.echoCancellation)}
      {toggle('autoGainControl', props.t.autoGain)}
    </fieldset>
  );
}

/** What the audio switches need of a call's media: 1:1 (RtcCallMedia) and group (RtcGroupMedia) alike. */
export interface MicrophoneSettingsMedia {
  readonly microphone: { readonly processing$: Observable<AudioProcessing> };
  setAudioProcessing(processing: AudioProcessing): Promise<boolean>;
}

/**
 * The audio switches of the microphone a call (1:1 or group) uses: its remembered settings, a
 * change applied by the call's media (which re-opens the microphone where the browser will not
 * change a running one).
 */
export function MicrophoneSwitches(props: { media: MicrophoneSettingsMedia; t: CallMessages }) {
  const processing = from(props.media.microphone.processing$);
  return <Show when={processing()}>{(current) => <AudioSwitches processing={current()} onChange={(next) => void props.media.setAudioProcessing(next)} t={props.t} />}</Show>;
}

/** "You are muted" while the user speaks with the microphone muted (see muted-speech.ts). */
export function MutedHint(props: { track: MediaStreamTrack | null; muted: boolean; t: CallMessages }) {
  const [show, setShow] = createSignal(false);
  createEffect(() => {
    const track = props.track;
    // Listening only while muted: an AudioContext costs the main thread, which call set-up needs.
    if (!track || !props.muted) return;
    const stop = watchMutedSpeech(track, () => props.muted, setShow);
    onCleanup(() => {
      stop();
      setShow(false);
    });
  });
  return (
    <Show when={show() && props.muted}>
      <p class="call-notice" role="status" data-testid="muted-hint">
        {props.t.youAreMuted}
      </p>
    </Show>
  );
}
