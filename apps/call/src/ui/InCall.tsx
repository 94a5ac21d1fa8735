import type { CallMedia, CallMediaState, Peer } from '@parley/contracts';
import Ellipsis from 'lucide-solid/icons/ellipsis';
import Mic from 'lucide-solid/icons/mic';
import MicOff from 'lucide-solid/icons/mic-off';
import Minimize2 from 'lucide-solid/icons/minimize-2';
import MonitorOff from 'lucide-solid/icons/monitor-off';
import MonitorUp from 'lucide-solid/icons/monitor-up';
import PhoneOff from 'lucide-solid/icons/phone-off';
import Video from 'lucide-solid/icons/video';
import VideoOff from 'lucide-solid/icons/video-off';
import { For, Show, createEffect, createMemo, createSignal, createUniqueId, from, onCleanup, untrack } from 'solid-js';
import { type CallQuality, NO_QUALITY, type StatsSample, rateQuality, sampleStats } from '../media/call-quality.js';
import type { RtcCallMedia } from '../media/call-media.js';
import { captureScreen } from '../media/screen-capture.js';
import { type CallMessages, formatElapsed } from '../messages.js';
import { Avatar } from './Avatar.js';
import { MiniCallBar } from './MiniCallBar.js';
import { CallSettingsSheet, DevicePickers, MicrophoneSwitches, MutedHint } from './CallSettingsSheet.js';
import { PictureInPictureButton } from './CallPictureInPicture.js';
import { SelfView } from './SelfView.js';
import { ShareWarning } from './ShareWarning.js';
import { watchAudioLevel } from './audio-level.js';
import { RoundButton } from './controls.js';
import { createIdleControls } from './idle-controls.js';
import { createSheetToggle } from './sheet-toggle.js';
import { QualityBars, StreamAudio, StreamVideo } from './media-views.js';

const STATS_EVERY_MS = 1000;
const LEVEL_WATCH_EVERY_MS = 250;
/** The audio meter starts this long after the call connected (see levelWatch). */
const METER_AFTER_MS = 1000;
/** No new remote frame for this long: the peer's camera is off (or their video stopped), their avatar shows. */
const REMOTE_VIDEO_STALLED_MS = 2_500;

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
  /** Who and where the call is ("In call with Bob"), the stage's heading. */
  readonly title: string;
  readonly hangUp: () => void;
  /** Back to the chat: the call shrinks to a floating bar (and `restore` brings it back). */
  readonly minimise: () => void;
  readonly restore: () => void;
  readonly minimised: boolean;
  /** Dialogs (the share warning) go to the top layer; false only in the two-app call lab. */
  readonly modal: boolean;
  /** What the peer said of its microphone, camera and screen; null when it never does (an older app): then inferred. */
  readonly peerMedia: CallMediaState | null;
  /** Tells the peer this side's microphone, camera and screen sharing (on every change). */
  readonly reportMedia: (state: CallMediaState) => void;
  /** Adds someone by handle: the call moves to the SFU (group calls). Absent: no such control. */
  readonly addPerson?: (handle: string) => Promise<void>;
}

/**
 * The call stage of a 1:1 call: the remote video large (or the peer's avatar while their camera is
 * off), the self view as a movable overlay, name, timer and quality on top, and a bottom bar of round
 * controls that fades while nothing moves; devices, statistics and "Add person" sit behind "More".
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
  // The call's view is gone (hung up): a screen picked after that must not go on being captured.
  let gone = false;
  onCleanup(() => {
    gone = true;
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
    const stop = () => stream.getTracks().forEach((track) => track.stop());
    if (gone) return stop();
    // The browser's own "Stop sharing" ends the track.
    stream.getVideoTracks()[0]!.addEventListener('ended', () => void stopSharing());
    try {
      await session.shareScreen(stream);
    } catch {
      stop();
      if (!gone) setScreenNotice('failed');
      return;
    }
    if (gone) return stop();
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

  // The peer's camera is off (or their video has not started) when no frame was decoded for a
  // while: their avatar shows instead of a frozen last frame. The stats are sampled anyway.
  const [framesSeenAt, setFramesSeenAt] = createSignal<{ frames: number; at: number }>({ frames: 0, at: 0 });
  createEffect(() => {
    const frames = quality().framesDecoded;
    if (frames !== untrack(framesSeenAt).frames) setFramesSeenAt({ frames, at: Date.now() });
  });
  const [stalledCheck, setStalledCheck] = createSignal(0);
  const stallTicker = setInterval(() => setStalledCheck((n) => n + 1), STATS_EVERY_MS);
  onCleanup(() => clearInterval(stallTicker));
  // A peer that tells its media state (newer apps) turned the camera off: the avatar shows at once,
  // without waiting for the frames to stop.
  const peerSaysNoVideo = () => !!props.peerMedia && !props.peerMedia.cameraOn && !props.peerMedia.sharing;
  const peerVideoShown = createMemo(() => {
    stalledCheck();
    const seen = framesSeenAt();
    return !!remoteVideo() && !peerSaysNoVideo() && (!props.active || (seen.frames > 0 && Date.now() - seen.at < REMOTE_VIDEO_STALLED_MS));
  });

  // This side's state goes to the peer on every change (the engine sends it once connected).
  createEffect(() => props.reportMedia({ muted: !!muted(), cameraOn: props.media === 'video' && !!cameraOn(), sharing: !!screen() }));

  const idle = createIdleControls();
  const settings = createSheetToggle();
  const settingsId = createUniqueId();
  const cameraStateId = createUniqueId();
  const elapsed = () => formatElapsed(now() - (props.answeredAt ?? now()));
  // What the call shows and does wherever it floats: the bar over the chat, the picture-in-picture window.
  const floating = {
    get name() {
      return props.peer.displayName;
    },
    get elapsed() {
      return elapsed();
    },
    get muted() {
      return !!muted();
    },
    setMuted: (next: boolean) => session.setMuted(next),
    get cameraOn() {
      return props.media === 'video' ? !!cameraOn() : undefined;
    },
    get setCameraOn() {
      return props.media === 'video' ? (on: boolean) => void session.setCameraOn(on) : undefined;
    },
    get hangUp() {
      return props.hangUp;
    },
    get hangUpLabel() {
      return props.t.hangUp;
    },
    get t() {
      return props.t;
    },
  };

  return (
    <>
    <div class="call-stage" classList={{ 'call-stage--video': props.media === 'video' }} data-idle={idle.idle() && props.media === 'video' ? 'true' : 'false'} ref={(element) => idle.watch(element)}>
      <header class="call-stage__top">
        <h2 class="call-stage__name" data-testid="call-title">
          {props.title}
        </h2>
        <Show when={props.active}>
          <p class="call-stage__status">
            <span data-testid="call-elapsed" aria-label={props.t.elapsed} role="timer">
              {elapsed()}
            </span>
            <QualityBars bars={quality().bars} label={props.t.quality(quality().bars)} />
            <meter class="call-meter" data-testid="audio-level" aria-label={props.t.audioLevel(props.peer.displayName)} min={0} max={1} value={level()} />
          </p>
        </Show>
        <Show when={props.reconnecting}>
          <p class="call-notice" role="status" data-testid="call-reconnecting">
            {props.t.reconnecting}
          </p>
        </Show>
        <Show when={decryption()?.failing}>
          <p class="call-notice call-notice--alert" role="alert" data-testid="decrypt-failing">
            {props.t.cantDecrypt(props.peer.displayName)}
          </p>
        </Show>
        <Show when={screenNotice()}>
          {(notice) => (
            <p class="call-notice" classList={{ 'call-notice--alert': notice() !== 'no-sound' }} role={notice() === 'no-sound' ? 'status' : 'alert'} data-testid="screen-notice">
              {props.t.screenNotice(notice())}
            </p>
          )}
        </Show>
        <MutedHint track={localStream()?.getAudioTracks()[0] ?? null} muted={!!muted()} t={props.t} />
        <Show when={screen()}>
          <p class="call-notice" data-testid="sharing-screen">
            {props.t.sharing}
          </p>
        </Show>
        {/* Always in the page, so screen readers hear what appears in it ("Bob muted"). */}
        <p class="call-stage__peer-media" aria-live="polite" data-testid="peer-media">
          <Show when={props.peerMedia?.muted}>
            <span class="call-stage__caption" data-testid="peer-muted">
              <MicOff aria-hidden="true" /> {props.t.peerMuted(props.peer.displayName)}
            </span>
          </Show>
          <Show when={props.peerMedia?.sharing}>
            <span class="call-stage__caption" data-testid="peer-sharing">
              <MonitorUp aria-hidden="true" /> {props.t.peerSharing(props.peer.displayName)}
            </span>
          </Show>
        </p>
      </header>
      <div class="call-stage__main">
        <Show when={props.media === 'video'}>
          <StreamVideo stream={remoteVideo()} label={props.t.remoteVideo(props.peer.displayName)} testId="remote-video" concealed={!peerVideoShown()} />
        </Show>
        <Show when={props.media !== 'video' || !peerVideoShown()}>
          <div class="call-stage__person" data-testid="peer-avatar">
            <Avatar accountId={props.peer.userId} name={props.peer.displayName} />
            <Show when={props.media === 'video' && props.active && (peerSaysNoVideo() || framesSeenAt().frames > 0)}>
              <p class="call-stage__caption" data-testid="peer-camera-off">
                <VideoOff aria-hidden="true" /> {props.t.cameraOffOf(props.peer.displayName)}
              </p>
            </Show>
          </div>
        </Show>
        <Show when={settings.open()}>
          <CallSettingsSheet id={settingsId} t={props.t} onClose={settings.close}>
            <DevicePickers devices={devices()} video={props.media === 'video'} onPick={(kind, id) => void session.useDevice(kind, id)} onSpeaker={setSpeaker} t={props.t} />
            <MicrophoneSwitches media={session} t={props.t} />
            <Show when={props.active && props.addPerson}>{(add) => <AddPersonForm add={add()} t={props.t} />}</Show>
            <Show when={props.active}>
              <CallStatistics quality={quality()} video={props.media === 'video'} decryptDrops={decryption()?.dropped ?? 0} t={props.t} />
            </Show>
          </CallSettingsSheet>
        </Show>
      </div>
      <Show when={props.media === 'video'}>
        <SelfView stream={localStream() ?? null} cameraOn={!!cameraOn()} label={props.t.selfView} hint={props.t.selfViewHint} previewLabel={props.t.localPreview} offLabel={props.t.yourCameraOff} testId="local-preview" />
      </Show>
      <For each={remoteAudio()}>{(stream) => <StreamAudio stream={stream} sinkId={speaker()} />}</For>
      <div class="call-bar" role="toolbar" aria-label={props.t.inCallControls}>
        <RoundButton label={props.t.mute} pressed={!!muted()} icon={muted() ? <MicOff aria-hidden="true" /> : <Mic aria-hidden="true" />} onClick={() => session.setMuted(!muted())} />
        <Show when={props.media === 'video'}>
          <RoundButton
            label={props.t.camera}
            pressed={!cameraOn()}
            describedBy={cameraStateId}
            icon={cameraOn() ? <Video aria-hidden="true" /> : <VideoOff aria-hidden="true" />}
            onClick={() => void session.setCameraOn(!cameraOn())}
          />
          <span id={cameraStateId} class="visually-hidden">
            {cameraOn() ? '' : props.t.yourCameraOff}
          </span>
          <Show when={screen()} fallback={<RoundButton label={props.t.shareScreen} icon={<MonitorUp aria-hidden="true" />} onClick={() => setWarning(true)} />}>
            <RoundButton label={props.t.stopSharing} pressed icon={<MonitorOff aria-hidden="true" />} onClick={() => void stopSharing()} />
          </Show>
        </Show>
        <RoundButton label={props.t.more} icon={<Ellipsis aria-hidden="true" />} expanded={settings.open()} controls={settingsId} ref={settings.button} onClick={settings.toggle} />
        <RoundButton label={props.t.minimise} icon={<Minimize2 aria-hidden="true" />} onClick={props.minimise} />
        <Show when={props.active}>
          <PictureInPictureButton
            {...floating}
            video={props.media === 'video' ? remoteVideo() : null}
            videoElement={() => document.querySelector<HTMLVideoElement>('[data-testid="remote-video"]')}
            t={props.t}
          />
        </Show>
        <RoundButton label={props.t.hangUp} tone="danger" icon={<PhoneOff aria-hidden="true" />} onClick={props.hangUp} />
      </div>
      <Show when={warning()}>
        <ShareWarning text={props.t.shareWarning(props.peer.displayName)} t={props.t} modal={props.modal} onConfirm={() => void shareScreen()} onCancel={() => setWarning(false)} />
      </Show>
    </div>
    <Show when={props.minimised}>
      <MiniCallBar
        {...floating}
        restore={props.restore}
      />
    </Show>
    </>
  );
}

/** The numbers behind the quality bars, for the curious and for support. */
function CallStatistics(props: { quality: CallQuality; video: boolean; decryptDrops: number; t: CallMessages }) {
  return (
    <details class="call-stats" data-testid="call-stats">
      <summary>{props.t.stats}</summary>
      <dl>
        <dt>{props.t.statsBitrateIn}</dt>
        <dd data-testid="stats-in">{props.quality.inKbps} kbit/s</dd>
        <dt>{props.t.statsBitrateOut}</dt>
        <dd data-testid="stats-out">{props.quality.outKbps} kbit/s</dd>
        <dt>{props.t.statsLoss}</dt>
        <dd>{(props.quality.loss * 100).toFixed(1)} %</dd>
        <dt>{props.t.statsRtt}</dt>
        <dd>{props.quality.rttMs === null ? '—' : `${props.quality.rttMs} ms`}</dd>
        <Show when={props.video}>
          <dt>{props.t.statsResolution}</dt>
          <dd data-testid="stats-resolution">{props.quality.resolution ?? '—'}</dd>
          <dt>{props.t.statsFrames}</dt>
          <dd data-testid="stats-frames">{props.quality.framesDecoded}</dd>
        </Show>
        <dt>{props.t.statsRoute}</dt>
        <dd data-testid="stats-route" data-route={props.quality.route ?? ''}>
          {props.quality.route ? props.t.route[props.quality.route] : '—'}
        </dd>
        <dt>{props.t.statsDecryptDrops}</dt>
        <dd data-testid="stats-decrypt-drops">{props.decryptDrops}</dd>
      </dl>
    </details>
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
      <label class="call-field">
        <span>{props.t.addPersonHandle}</span>
        <input class="call-input" value={handle()} onInput={(event) => setHandle(event.currentTarget.value)} autocomplete="off" />
      </label>
      <button type="submit" class="call-button call-button--primary" disabled={busy()}>
        {props.t.addPerson}
      </button>
      <Show when={failed()}>{(why) => <p role="alert">{props.t.addPersonFailed(why())}</p>}</Show>
    </form>
  );
}
