import { useEffect, useId, useRef, useState } from 'react';
import type { ShellMessages } from '../messages.js';

/**
 * "Sign out of this browser", behind a modal confirmation (a native `<dialog>`: focus moves into
 * it and stays there, Escape cancels, focus returns to the button). Cancel has the focus first,
 * since signing out deletes this browser's messages.
 */
export function SignOutSection(props: { t: ShellMessages; onSignOut: () => Promise<void> }) {
  const { t, onSignOut } = props;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const ids = { question: useId() };

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (confirming && !element.open) {
      // showModal is missing in some DOM implementations used by tests: an open dialog then.
      if (typeof element.showModal === 'function') element.showModal();
      else element.setAttribute('open', '');
      cancel.current?.focus();
    } else if (!confirming && element.open) {
      element.close();
    }
  }, [confirming]);

  const close = () => {
    setConfirming(false);
    opener.current?.focus();
  };
  const confirm = () => {
    setBusy(true);
    onSignOut().finally(() => setBusy(false));
  };

  return (
    <>
      <button type="button" ref={opener} onClick={() => setConfirming(true)} data-testid="sign-out">
        {t.signOut}
      </button>
      <dialog
        ref={dialog}
        role="alertdialog"
        aria-describedby={ids.question}
        aria-label={t.signOut}
        data-testid="sign-out-dialog"
        onCancel={(event) => {
          // Escape: close through React's state, not behind its back.
          event.preventDefault();
          if (!busy) close();
        }}
        onKeyDown={(event) => event.key === 'Escape' && event.stopPropagation()}
      >
        <p id={ids.question}>{t.signOutQuestion}</p>
        <button type="button" ref={cancel} onClick={close} disabled={busy}>
          {t.cancel}
        </button>{' '}
        <button type="button" onClick={confirm} disabled={busy}>
          {busy ? t.signingOut : t.signOutConfirm}
        </button>
      </dialog>
    </>
  );
}
