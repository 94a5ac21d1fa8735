import Maximize2 from 'lucide-solid/icons/maximize-2';
import Mic from 'lucide-solid/icons/mic';
import MicOff from 'lucide-solid/icons/mic-off';
import PhoneOff from 'lucide-solid/icons/phone-off';
import Video from 'lucide-solid/icons/video';
import VideoOff from 'lucide-solid/icons/video-off';
import { Show } from 'solid-js';
import type { CallMessages } from '../messages.js';
import { RoundButton } from './controls.js';

/**
 * The call while the user is back in the chat (or opened another one): a small floating bar with the
 * name, the timer, Mute, Camera (video calls), Hang up and "Return to call". The call itself (its audio) keeps running in the hidden stage.
 */
export function MiniCallBar(props: {
  name: string;
  elapsed: string;
  muted: boolean;
  setMuted: (muted: boolean) => void;
  /** Absent in voice calls: no camera button. */
  cameraOn?: boolean;
  setCameraOn?: (on: boolean) => void;
  hangUp: () => void;
  hangUpLabel: string;
  restore: () => void;
  t: CallMessages;
}) {
  return (
    <aside class="call-mini" aria-label={props.t.ongoingCall(props.name)} data-testid="call-mini-bar">
      <span class="call-mini__text">
        <span class="call-mini__name">{props.name}</span>
        <span class="call-mini__timer" role="timer" aria-label={props.t.elapsed}>
          {props.elapsed}
        </span>
      </span>
      <RoundButton label={props.t.mute} pressed={props.muted} icon={props.muted ? <MicOff aria-hidden="true" /> : <Mic aria-hidden="true" />} onClick={() => props.setMuted(!props.muted)} />
      <Show when={props.setCameraOn}>
        {(setCameraOn) => (
          <RoundButton label={props.t.camera} pressed={!props.cameraOn} icon={props.cameraOn ? <Video aria-hidden="true" /> : <VideoOff aria-hidden="true" />} onClick={() => setCameraOn()(!props.cameraOn)} />
        )}
      </Show>
      <RoundButton label={props.t.returnToCall} icon={<Maximize2 aria-hidden="true" />} onClick={props.restore} />
      <RoundButton label={props.hangUpLabel} tone="danger" icon={<PhoneOff aria-hidden="true" />} onClick={props.hangUp} />
    </aside>
  );
}
