import Phone from 'lucide-solid/icons/phone';
import PhoneOff from 'lucide-solid/icons/phone-off';
import Video from 'lucide-solid/icons/video';
import { createUniqueId, onCleanup, onMount } from 'solid-js';
import { Avatar } from './Avatar.js';
import { startRingtone } from './ringtone.js';

/** What the incoming-call dialog says and does (1:1 and group rings alike). */
export interface IncomingCallProps {
  readonly callerId: string;
  readonly callerName: string;
  /** "Alice is calling" / "Alice is calling Team". */
  readonly title: string;
  readonly kind: 'audio' | 'video';
  readonly kindLabel: string;
  readonly acceptLabel: string;
  readonly declineLabel: string;
  readonly shortcuts: string;
  readonly onAccept: () => void;
  readonly onDecline: () => void;
  /** Over everything, the rest of the page inert (the app); false only where two apps share a page (the call lab). */
  readonly modal: boolean;
  readonly testId?: string;
  readonly titleTestId?: string;
}

/**
 * The incoming call: a dialog in the top layer with the caller's avatar and name, voice or video,
 * Accept in green and Decline in red, the ringtone while it shows. Enter accepts (Accept has the
 * focus), Escape declines.
 */
export function IncomingCallDialog(props: IncomingCallProps) {
  let dialog!: HTMLDialogElement;
  let accept!: HTMLButtonElement;
  const titleId = createUniqueId();
  const hintId = createUniqueId();
  // Opened with the next frame rather than at once: opening and focusing force a layout in the task
  // that handles the incoming offer, which answering quickly needs more (it is painted then anyway).
  let frame = 0;
  onMount(() => {
    frame = requestAnimationFrame(() => {
      if (!dialog.open) {
        if (props.modal) dialog.showModal();
        else dialog.show();
      }
      accept.focus();
    });
  });
  onCleanup(() => {
    cancelAnimationFrame(frame);
    if (dialog.open) dialog.close();
  });
  onCleanup(startRingtone());
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      props.onDecline();
    } else if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
      event.preventDefault();
      props.onAccept();
    }
  };
  return (
    <dialog
      ref={dialog}
      class="call-incoming"
      classList={{ 'call-incoming--inline': !props.modal }}
      aria-labelledby={titleId}
      aria-describedby={hintId}
      data-testid={props.testId}
      onKeyDown={onKeyDown}
      // Escape on a modal dialog closes it before keydown reaches us in some browsers: decline instead.
      onCancel={(event) => {
        event.preventDefault();
        props.onDecline();
      }}
    >
      <Avatar accountId={props.callerId} name={props.callerName} />
      <h2 id={titleId} class="call-incoming__title" data-testid={props.titleTestId}>
        {props.title}
      </h2>
      <p class="call-incoming__kind">
        {props.kind === 'video' ? <Video aria-hidden="true" /> : <Phone aria-hidden="true" />} {props.kindLabel}
      </p>
      <div class="call-incoming__actions">
        <button type="button" ref={accept} class="call-incoming__button call-incoming__button--accept" onClick={() => props.onAccept()}>
          {props.kind === 'video' ? <Video aria-hidden="true" /> : <Phone aria-hidden="true" />}
          <span>{props.acceptLabel}</span>
        </button>
        <button type="button" class="call-incoming__button call-incoming__button--decline" onClick={() => props.onDecline()}>
          <PhoneOff aria-hidden="true" />
          <span>{props.declineLabel}</span>
        </button>
      </div>
      <p id={hintId} class="call-incoming__hint">
        {props.shortcuts}
      </p>
    </dialog>
  );
}
