import Mic from 'lucide-solid/icons/mic';
import MicOff from 'lucide-solid/icons/mic-off';
import PhoneOff from 'lucide-solid/icons/phone-off';
import PictureInPicture2 from 'lucide-solid/icons/picture-in-picture-2';
import Video from 'lucide-solid/icons/video';
import VideoOff from 'lucide-solid/icons/video-off';
import { Show, createSignal, onCleanup } from 'solid-js';
import { render } from 'solid-js/web';
import type { CallMessages } from '../messages.js';
import { RoundButton } from './controls.js';
import { type OpenPictureInPicture, offerAutomaticPictureInPicture, openPictureInPicture, pictureInPictureKind } from './picture-in-picture.js';

/** What the floating window shows and does; getters, so it follows the call. */
export interface PipCallProps {
  readonly name: string;
  readonly elapsed: string;
  readonly muted: boolean;
  readonly setMuted: (muted: boolean) => void;
  /** Absent in voice calls: no camera button. */
  readonly cameraOn?: boolean;
  readonly setCameraOn?: (on: boolean) => void;
  readonly hangUp: () => void;
  readonly hangUpLabel: string;
  /** The video worth watching in the window (the peer, the spotlight); null: the name only. */
  readonly video: MediaStream | null;
  readonly t: CallMessages;
}

/**
 * The floating window's content: the video, the name and timer, Mute, Camera and Hang up. It
 * lives in another document, where Solid's delegated events do not reach: handlers are native
 * (`on:click`).
 */
function PipCallWindow(props: PipCallProps) {
  let video: HTMLVideoElement | undefined;
  onCleanup(() => {
    if (video) video.srcObject = null;
  });
  return (
    <section class="call-pip__window" aria-label={props.t.pictureInPictureWindow} data-testid="call-pip-window">
      <Show when={props.video} keyed>
        {(stream) => <video ref={(element) => ((video = element), (element.srcObject = stream))} class="call-video call-video--cover call-pip__video" autoplay playsinline muted aria-label={props.t.remoteVideo(props.name)} />}
      </Show>
      <p class="call-pip__title">
        <span>{props.name}</span> <span role="timer">{props.elapsed}</span>
      </p>
      <div class="call-bar call-pip__bar" role="toolbar" aria-label={props.t.inCallControls}>
        <button type="button" class="call-control" aria-label={props.t.mute} title={props.t.mute} aria-pressed={props.muted ? 'true' : 'false'} on:click={() => props.setMuted(!props.muted)}>
          {props.muted ? <MicOff aria-hidden="true" /> : <Mic aria-hidden="true" />}
        </button>
        <Show when={props.setCameraOn}>
          {(setCameraOn) => (
            <button type="button" class="call-control" aria-label={props.t.camera} title={props.t.camera} aria-pressed={props.cameraOn ? 'false' : 'true'} on:click={() => setCameraOn()(!props.cameraOn)}>
              {props.cameraOn ? <Video aria-hidden="true" /> : <VideoOff aria-hidden="true" />}
            </button>
          )}
        </Show>
        <button type="button" class="call-control call-control--danger" aria-label={props.hangUpLabel} title={props.hangUpLabel} on:click={() => props.hangUp()}>
          <PhoneOff aria-hidden="true" />
        </button>
      </div>
    </section>
  );
}

/**
 * Picture-in-picture for the running call: the "Picture in picture" button of the call bar, and
 * the window opening by itself when the user switches tabs where the browser allows it (see
 * picture-in-picture.ts). The window closes with the call.
 */
export function PictureInPictureButton(props: PipCallProps & { videoElement: () => HTMLVideoElement | null }) {
  const [open, setOpen] = createSignal<OpenPictureInPicture | null>(null);
  let opening = false;
  async function enter(): Promise<void> {
    if (open() || opening) return;
    opening = true;
    try {
      const window = await openPictureInPicture({
        title: props.t.pictureInPictureWindow,
        mount: (root) => render(() => <PipCallWindow {...props} />, root),
        video: props.videoElement,
        onClosed: () => setOpen(null),
      });
      setOpen(window);
    } finally {
      opening = false;
    }
  }
  const leave = () => open()?.close();
  const undoAutomatic = offerAutomaticPictureInPicture(() => void enter());
  // Tried on every tab switch: refused without the browser's leave (no gesture), harmless then.
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') void enter();
  };
  document.addEventListener('visibilitychange', onVisibility);
  onCleanup(() => {
    undoAutomatic();
    document.removeEventListener('visibilitychange', onVisibility);
    leave();
  });
  return (
    <Show when={pictureInPictureKind()}>
      <RoundButton label={props.t.pictureInPicture} pressed={!!open()} icon={<PictureInPicture2 aria-hidden="true" />} onClick={() => (open() ? leave() : void enter())} testId="call-pip-button" />
    </Show>
  );
}
