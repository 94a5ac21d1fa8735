import { createUniqueId, onCleanup, onMount } from 'solid-js';
import type { CallMessages } from '../messages.js';

/** The warning before screen sharing, a dialog over the call: the other side (`text` says who) sees everything on the shared screen. */
export function ShareWarning(props: { text: string; t: CallMessages; modal: boolean; onConfirm: () => void; onCancel: () => void }) {
  let dialog!: HTMLDialogElement;
  let cancel!: HTMLButtonElement;
  const titleId = createUniqueId();
  const textId = createUniqueId();
  onMount(() => {
    if (props.modal) dialog.showModal();
    else dialog.show();
    cancel.focus();
  });
  onCleanup(() => dialog.open && dialog.close());
  return (
    <dialog
      ref={dialog}
      class="call-dialog"
      classList={{ 'call-dialog--inline': !props.modal }}
      role="alertdialog"
      aria-labelledby={titleId}
      aria-describedby={textId}
      data-testid="share-warning"
      onCancel={(event) => {
        event.preventDefault();
        props.onCancel();
      }}
      onKeyDown={(event) => event.key === 'Escape' && props.onCancel()}
    >
      <h2 id={titleId} class="call-dialog__title">
        {props.t.shareWarningTitle}
      </h2>
      <p id={textId}>{props.text}</p>
      <div class="call-dialog__actions">
        <button type="button" ref={cancel} class="call-button" onClick={() => props.onCancel()}>
          {props.t.cancel}
        </button>
        <button type="button" class="call-button call-button--primary" onClick={() => props.onConfirm()}>
          {props.t.shareConfirm}
        </button>
      </div>
    </dialog>
  );
}
