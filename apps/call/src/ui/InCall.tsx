import type { CallMedia, Peer } from '@parley/contracts';
import { For, Show, createMemo, createSignal, from, onCleanup, onMount } from 'solid-js';
import { type CallQuality, NO_QUALITY, type StatsSample, rateQuality, sampleStats } from '../media/call-quality.js';
import type { RtcCallMedia } from '../media/call-media.js';
import { captureScreen } from '../media/screen-capture.js';
import { type CallMessages, formatElapsed } from '../messages.js';
import { watchAudioLevel } from './audio-level.js';
import { QualityBars, StreamAudio, StreamVideo } from './media-views.js';

const STATS_EVERY_MS = 1000;
const LEVEL_WATCH_EVERY_MS = 250;
/** The audio meter starts this long after the call connected (see levelWatch). */
const METER_AFTER_MS = 1000;

interface InCallProps {
  readonly session: RtcCallMedia;
  readonly peer: Peer;
  readonly media: CallMedia;
  /** Media connected: show elapsed time, quality and stats. */
  readonly active: boolean;
  readonly answeredAt: number | null;
  readonly reconnecting: boolean;
  /** The call engine's clock. */
  readonly now: () => number;
  readonly t: CallMessages;
  /** Adds someone by handle: the call moves to the SFU (group calls). Absent: no such control. */
  readonly addPerson?: (handle: string) => Promise<void>;
}

/**
 * The media part of a call: local preview, remote video and audio, controls (mute, camera, devices,
 * screen sharing in video calls), audio level, elapsed time, quality and statistics.
 */
export function InCall(props: InCallProps) {
  const session = props.session;
  const localStream = from(session.localStream$);
  const remoteTracks = from(session.remoteTracks$);
  const muted = from(session.muted$);
  const cameraOn = from(session.cameraOn$);
  const decryption = from(session.decryption$);
  const [now, setNow] = createSignal(props.now());
  const [quality, setQuality] = createSignal<CallQuality>(NO_QUALITY);
  const [level, setLevel] = createSignal(0);
  const [devices, setDevices] = createSignal<MediaDeviceInfo[]>([]);
  const [speaker, setSpeaker] = createSignal('');
  const [warning, setWarning] = createSignal(false);
  const [screen, setScreen] = createSignal<MediaStream | null>(null);
  /** Why the last attempt to share a screen gave no screen, or no sound; null when there is nothing to say. */
  const [screenNotice, setScreenNotice] = createSignal<'failed' | 'unsupported' | 'no-sound' | null>(null);

  const remoteVideoTrack = createMemo(() => remoteTracks()?.find((t) => t.kind === 'video') ?? null);
  const remoteAudioTrack = createMemo(() => remoteTracks()?.find((t) => t.kind === 'audio') ?? null);
  const remoteVideo = createMemo(() => {
    const track = remoteVideoTrack();
    return track ? new MediaStream([track]) : null;
  });
  // Every remote audio track plays in its own element (microphone, and a shared screen's sound in
  // video calls): Chromium plays only the first audio track of a stream in an element.
  const remoteAudio = createMemo(() => (remoteTracks() ?? []).filter((t) => t.kind === 'audio').map((track) => new MediaStream([track])));

  const ticker = setInterval(() => setNow(props.now()), 250);
  let previous: StatsSample | null = null;
  const stats = setInterval(() => {
    if (!props.active) return;
    void session.pc.getStats().then((report) => {
      const sample = sampleStats(report.values() as Iterable<Record<string, unknown>>, Date.now());
      if (previous) setQuality(rateQuality(previous, sample));
      previous = sample;
    });
  }, STATS_EVERY_MS);
  let stopLevel: (() => void) | null = null;
  let levelTrack: MediaStreamTrack | null = null;
  let activeFor = 0;
  const levelWatch = setInterval(() => {
    const track = remoteAudioTrack();
    activeFor = props.active ? activeFor + LEVEL_WATCH_EVERY_MS : 0;
    // Only a moment after the call connected: the meter's AudioContext costs the main thread tens
    // of milliseconds, which set-up (opening the devices) and the first media arriving need more.
    if (activeFor < METER_AFTER_MS || !track || track === levelTrack) return;
    stopLevel?.();
    levelTrack = track;
    stopLevel = watchAudioLevel(track, setLevel);
  }, LEVEL_WATCH_EVERY_MS);

  const listDevices = () => void navigator.mediaDevices?.enumerateDevices().then(setDevices).catch(() => {});
  // Listed, and watched for changes, once this call's stream is open (labels are only known then),
  // not at mount: enumerating while getUserMedia opens the devices slowed opening them by tens of
  // milliseconds, and so does subscribing to `devicechange` (the browser enumerates to start watching).
  let watchingDevices = false;
  const deviceRefresh = setInterval(() => {
    if (!localStream()) return;
    if (!watchingDevices) {
      watchingDevices = true;
      navigator.mediaDevices?.addEventListener('devicechange', listDevices);
    }
    if (devices().every((d) => !d.label)) listDevices();
  }, 250);
  onCleanup(() => {
    clearInterval(ticker);
    clearInterval(stats);
    clearInterval(levelWatch);
    clearInterval(deviceRefresh);
    stopLevel?.();
    navigator.mediaDevices?.removeEventListener('devicechange', listDevices);
    for (const track of screen()?.getTracks() ?? []) track.stop();
  });

  async function shareScreen(): Promise<void> {
    setWarning(false);
    setScreenNotice(null);
    const captured = await captureScreen(navigator.mediaDevices);
    if (!captured.ok) {
      // The user's own cancel needs no word; a capture that failed or cannot happen does.
      if (captured.reason !== 'cancelled') setScreenNotice(captured.reason);
      return;
    }
    const stream = captured.stream;
    // The browser's own "Stop sharing" ends the track.
    stream.getVideoTracks()[0]!.addEventListener('ended', () => void stopSharing());
    try {
      await session.shareScreen(stream);
    } catch {
      for (const track of stream.getTracks()) track.stop();
      setScreenNotice('failed');
      return;
    }
    setScreen(stream);
    if (!captured.withSound) setScreenNotice('no-sound');
  }

  async function stopSharing(): Promise<void> {
    const stream = screen();
    if (!stream) return;
    setScreen(null);
    setScreenNotice(null);
    await session.shareScreen(null);
    for (const track of stream?.getTracks() ?? []) track.stop();
  }

  const pick = (kind: 'audioinput' | 'videoinput') => (event: Event) => {
    const id = (event.currentTarget as HTMLSelectElement).value;
    if (id) void session.useDevice(kind, id);
  };
  const options = (kind: MediaDeviceKind) => devices().filter((d) => d.kind === kind && d.deviceId);

  return (
    <div class="call-media">
      <Show when={props.reconnecting}>
        <p class="call-reconnecting" role="status" data-testid="call-reconnecting">
          {props.t.reconnecting}
        </p>
      </Show>
      <Show when={decryption()?.failing}>
        <p class="call-decrypt-failing" role="alert" data-testid="decrypt-failing">
          {props.t.cantDecrypt(props.peer.displayName)}
        </p>
      </Show>
      <Show when={props.media === 'video'}>
        <div class="call-videos">
          <StreamVideo stream={remoteVideo()} label={props.t.remoteVideo(props.peer.displayName)} testId="remote-video" />
          <StreamVideo stream={localStream() ?? null} label={props.t.localPreview} testId="local-preview" mirrored />
        </div>
      </Show>
      <For each={remoteAudio()}>{(stream) => <StreamAudio stream={stream} sinkId={speaker()} />}</For>
      <Show when={props.active}>
        <p class="call-status-line">
          <span data-testid="call-elapsed" aria-label={props.t.elapsed} role="timer">
            {formatElapsed(now() - (props.answeredAt ?? now()))}
          </span>{' '}
          <QualityBars bars={quality().bars} label={props.t.quality(quality().bars)} />{' '}
          <meter data-testid="audio-level" aria-label={props.t.audioLevel(props.peer.displayName)} min={0} max={1} value={level()} />
        </p>
      </Show>
      <Show when={screenNotice()}>
        {(notice) => (
          <p class="call-screen-notice" role={notice() === 'no-sound' ? 'status' : 'alert'} data-testid="screen-notice">
            {props.t.screenNotice(notice())}
          </p>
        )}
      </Show>
      <div class="call-controls" role="group">
        <button type="button" aria-pressed={muted() ? 'true' : 'false'} onClick={() => session.setMuted(!muted())}>
          {props.t.mute}
        </button>
        <Show when={props.media === 'video'}>
          <button type="button" aria-pressed={cameraOn() ? 'true' : 'false'} onClick={() => void session.setCameraOn(!cameraOn())}>
            {props.t.camera}
          </button>
          <Show
            when={screen()}
            fallback={
              <button type="button" onClick={() => setWarning(true)}>
                {props.t.shareScreen}
              </button>
            }
          >
            <span data-testid="sharing-screen">{props.t.sharing}</span>
            <button type="button" onClick={() => void stopSharing()}>
              {props.t.stopSharing}
            </button>
          </Show>
        </Show>
      </div>
      <Show when={props.active && props.addPerson}>{(add) => <AddPersonForm add={add()} t={props.t} />}</Show>
      <Show when={warning()}>
        <ShareWarning peer={props.peer} t={props.t} onConfirm={() => void shareScreen()} onCancel={() => setWarning(false)} />
      </Show>
      <div class="call-devices">
        <label>
          {props.t.microphone}{' '}
          <select onChange={pick('audioinput')}>
            <option value="">{props.t.deviceDefault}</option>
            <For each={options('audioinput')}>{(d) => <option value={d.deviceId}>{d.label || d.deviceId.slice(0, 8)}</option>}</For>
          </select>
        </label>
        <Show when={props.media === 'video'}>
          <label>
            {props.t.cameraDevice}{' '}
            <select onChange={pick('videoinput')}>
              <option value="">{props.t.deviceDefault}</option>
              <For each={options('videoinput')}>{(d) => <option value={d.deviceId}>{d.label || d.deviceId.slice(0, 8)}</option>}</For>
            </select>
          </label>
        </Show>
        <label>
          {props.t.speaker}{' '}
          <select onChange={(event) => setSpeaker(event.currentTarget.value)}>
            <option value="">{props.t.deviceDefault}</option>
            <For each={options('audiooutput')}>{(d) => <option value={d.deviceId}>{d.label || d.deviceId.slice(0, 8)}</option>}</For>
          </select>
        </label>
      </div>
      <Show when={props.active}>
        <details class="call-stats" data-testid="call-stats">
          <summary>{props.t.stats}</summary>
          <dl>
            <dt>{props.t.statsBitrateIn}</dt>
            <dd data-testid="stats-in">{quality().inKbps} kbit/s</dd>
            <dt>{props.t.statsBitrateOut}</dt>
            <dd data-testid="stats-out">{quality().outKbps} kbit/s</dd>
            <dt>{props.t.statsLoss}</dt>
            <dd>{(quality().loss * 100).toFixed(1)} %</dd>
            <dt>{props.t.statsRtt}</dt>
            <dd>{quality().rttMs === null ? '—' : `${quality().rttMs} ms`}</dd>
            <Show when={props.media === 'video'}>
              <dt>{props.t.statsResolution}</dt>
              <dd data-testid="stats-resolution">{quality().resolution ?? '—'}</dd>
              <dt>{props.t.statsFrames}</dt>
              <dd data-testid="stats-frames">{quality().framesDecoded}</dd>
            </Show>
            <dt>{props.t.statsRoute}</dt>
            <dd data-testid="stats-route" data-route={quality().route ?? ''}>
              {quality().route ? props.t.route[quality().route!] : '—'}
            </dd>
            <dt>{props.t.statsDecryptDrops}</dt>
            <dd data-testid="stats-decrypt-drops">{decryption()?.dropped ?? 0}</dd>
          </dl>
        </details>
      </Show>
    </div>
  );
}

/** The warning before screen sharing: the other side sees everything on the shared screen. */
function ShareWarning(props: { peer: Peer; t: CallMessages; onConfirm: () => void; onCancel: () => void }) {
  let cancel!: HTMLButtonElement;
  onMount(() => cancel.focus());
  return (
    <div
      class="call-share-warning"
      role="alertdialog"
      aria-modal="false"
      aria-labelledby="call-share-warning-title"
      aria-describedby="call-share-warning-text"
      data-testid="share-warning"
      onKeyDown={(event) => event.key === 'Escape' && props.onCancel()}
    >
      <h3 id="call-share-warning-title">{props.t.shareWarningTitle}</h3>
      <p id="call-share-warning-text">{props.t.shareWarning(props.peer.displayName)}</p>
      <button type="button" onClick={() => props.onConfirm()}>
        {props.t.shareConfirm}
      </button>
      <button type="button" ref={cancel} onClick={() => props.onCancel()}>
        {props.t.cancel}
      </button>
    </div>
  );
}

/** "Add person" by handle: the call moves to the SFU with everyone in it. */
function AddPersonForm(props: { add: (handle: string) => Promise<void>; t: CallMessages }) {
  const [handle, setHandle] = createSignal('');
  const [failed, setFailed] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (!handle().trim() || busy()) return;
    setBusy(true);
    setFailed(null);
    try {
      await props.add(handle().trim().replace(/^@/, ''));
    } catch (error) {
      setFailed(error instanceof Error ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="call-add-person" onSubmit={(event) => void submit(event)} aria-label={props.t.addPerson}>
      <label>
        {props.t.addPersonHandle}{' '}
        <input value={handle()} onInput={(event) => setHandle(event.currentTarget.value)} autocomplete="off" />
      </label>{' '}
      <button type="submit" disabled={busy()}>
        {props.t.addPerson}
      </button>
      <Show when={failed()}>{(why) => <p role="alert">{props.t.addPersonFailed(why())}</p>}</Show>
    </form>
  );
}
