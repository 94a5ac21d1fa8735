import Hand from 'lucide-solid/icons/hand';
import Lock from 'lucide-solid/icons/lock';
import LockOpen from 'lucide-solid/icons/lock-open';
import MicOff from 'lucide-solid/icons/mic-off';
import ShieldUser from 'lucide-solid/icons/shield-user';
import { Show, createSignal } from 'solid-js';
import type { HostActionResult, HostNotice } from '@parley/call-engine';
import type { CallMessages } from '../messages.js';
import { RoundButton } from './controls.js';

/** What the host can do, as the store offers it. */
export interface HostActions {
  muteAll(): HostActionResult;
  lowerHands(): HostActionResult;
  lock(locked: boolean): Promise<HostActionResult | 'failed'>;
}

type Feedback = Parameters<CallMessages['hostDone']>[0];

/**
 * The host's "Host controls" button in the call bar and the panel it opens: mute everyone, lower
 * all hands, lock or unlock. A disclosure (not a modal): Tab reaches its buttons, Escape closes it
 * and gives the focus back to the button. What happened is said in a status line.
 */
export function HostControls(props: { actions: HostActions; locked: boolean; t: CallMessages }) {
  const [open, setOpen] = createSignal(false);
  const [feedback, setFeedback] = createSignal<Feedback | null>(null);
  let toggle: HTMLButtonElement | undefined;
  const said = (result: HostActionResult | 'failed', done: Feedback) => setFeedback(result === 'done' ? done : result === 'no-hands' ? 'no-hands' : 'failed');
  const close = () => {
    setOpen(false);
    toggle?.focus();
  };
  return (
    <span class="call-host">
      <RoundButton
        label={props.t.hostControls}
        icon={<ShieldUser aria-hidden="true" />}
        expanded={open()}
        controls="call-host-controls"
        ref={(element) => (toggle = element)}
        onClick={() => setOpen(!open())}
        testId="group-call-host-controls"
      />
      <Show when={open()}>
        <div
          id="call-host-controls"
          class="call-sheet call-host__panel"
          role="group"
          aria-label={props.t.hostControls}
          onKeyDown={(event) => {
            if (event.key !== 'Escape') return;
            event.stopPropagation();
            close();
          }}
        >
          <button type="button" class="call-button" onClick={() => said(props.actions.muteAll(), 'mute-all')}>
            <MicOff aria-hidden="true" /> {props.t.muteEveryone}
          </button>
          <button type="button" class="call-button" onClick={() => said(props.actions.lowerHands(), 'lower-hands')}>
            <Hand aria-hidden="true" /> {props.t.lowerAllHands}
          </button>
          <button
            type="button"
            class="call-button"
            aria-pressed={props.locked ? 'true' : 'false'}
            onClick={async () => {
              const locking = !props.locked;
              said(await props.actions.lock(locking), locking ? 'lock' : 'unlock');
            }}
          >
            {props.locked ? <LockOpen aria-hidden="true" /> : <Lock aria-hidden="true" />} {props.locked ? props.t.unlockCall : props.t.lockCall}
          </button>
          <Show when={feedback()}>
            {(what) => (
              <p class="call-host__feedback" role="status" data-testid="group-call-host-feedback">
                {props.t.hostDone(what())}
              </p>
            )}
          </Show>
        </div>
      </Show>
    </span>
  );
}

/** What the host did, as a participant sees it: "Alice muted everyone. You can unmute yourself." */
export function HostNoticeLine(props: { notice: HostNotice | null; hostName: string; t: CallMessages }) {
  return (
    <Show when={props.notice} keyed>
      {(notice) => (
        <p class="call-notice" role="status" data-testid="group-call-host-notice" data-action={notice.action}>
          {props.t.hostNotice(props.hostName, notice.action)}
        </p>
      )}
    </Show>
  );
}
