import { type KeyboardEvent, useId, useState } from 'react';
import type { ChatMessages } from './messages.js';

/** The message composer: Enter sends, Shift+Enter starts a new line. */
export function Composer(props: { t: ChatMessages; onSend: (body: string) => Promise<unknown> }) {
  const { t, onSend } = props;
  const inputId = useId();
  const [draft, setDraft] = useState('');
  const [failed, setFailed] = useState(false);

  const send = () => {
    const body = draft.trim();
    if (!body) return;
    setDraft('');
    setFailed(false);
    onSend(body).catch(() => setFailed(true));
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Not while an input method is composing: its Enter confirms a candidate.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label htmlFor={inputId} className="visually-hidden">
        {t.message}
      </label>
      <textarea
        id={inputId}
        rows={2}
        // Opening a conversation is a request to write in it.
        autoFocus
        value={draft}
        placeholder={t.messagePlaceholder}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
        data-testid="composer"
      />
      <button type="submit" disabled={draft.trim() === ''}>
        {t.send}
      </button>
      {failed && (
        <p role="alert" className="composer__error">
          {t.sendFailed}
        </p>
      )}
    </form>
  );
}
