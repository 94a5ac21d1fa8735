import { type KeyboardEvent, useEffect, useId, useRef } from 'react';
import type { ChatMessages } from './messages.js';

/**
 * "Delete message?" as a modal dialog: Delete for me, Delete for everyone (only offered while
 * `forEveryone` is given: this user's message, within the time limit) and Cancel. The focus starts
 * on the first choice and stays inside; Escape cancels.
 */
export function DeleteMessageDialog(props: { t: ChatMessages; onForMe: () => void; forEveryone: (() => void) | null; ownMessage: boolean; onCancel: () => void }) {
  const { t, onForMe, forEveryone, ownMessage, onCancel } = props;
  const titleId = useId();
  const dialog = useRef<HTMLDivElement>(null);
  const buttons = () => [...(dialog.current?.querySelectorAll<HTMLButtonElement>('button') ?? [])];

  useEffect(() => {
    buttons()[0]?.focus();
  }, []);

  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      onCancel();
      return;
    }
    if (event.key !== 'Tab') return;
    // A modal dialog keeps the focus: Tab from the last choice goes to the first, and back.
    const list = buttons();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const next = event.shiftKey ? (at <= 0 ? list.length - 1 : at - 1) : (at + 1) % list.length;
    event.preventDefault();
    list[next]?.focus();
  };

  return (
    <div className="message-dialog__scrim">
      <div ref={dialog} role="dialog" aria-modal="true" aria-labelledby={titleId} className="message-dialog" onKeyDown={onKey} data-testid="delete-message-dialog">
        <h2 id={titleId} className="message-dialog__title">
          {t.deleteTitle}
        </h2>
        {ownMessage && forEveryone === null && <p className="message-dialog__note">{t.deleteTooLate}</p>}
        <div className="message-dialog__actions">
          <button type="button" className="button" onClick={onForMe}>
            {t.deleteForMe}
          </button>
          {forEveryone && (
            <button type="button" className="button button--danger" onClick={forEveryone}>
              {t.deleteForEveryone}
            </button>
          )}
          <button type="button" className="button" onClick={onCancel}>
            {t.cancel}
          </button>
        </div>
      </div>
    </div>
  );
}
