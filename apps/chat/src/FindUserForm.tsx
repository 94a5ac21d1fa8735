import type { ConversationSummary } from '@parley/messenger';
import { type FormEvent, useId, useState } from 'react';
import { type ChatMessages, findFailureText } from './messages.js';

/** "Find a user by handle": opens (or starts) the conversation with them. */
export function FindUserForm(props: { t: ChatMessages; findUser: (handle: string) => Promise<ConversationSummary>; onFound: (found: ConversationSummary) => void }) {
  const { t, findUser, onFound } = props;
  const inputId = useId();
  const errorId = useId();
  const [handle, setHandle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = handle.trim().replace(/^@/, '').toLowerCase();
    if (!wanted || busy) return;
    setBusy(true);
    setError(null);
    findUser(wanted)
      .then((found) => {
        setHandle('');
        onFound(found);
      })
      .catch((failure: unknown) => setError(findFailureText(t, failure)))
      .finally(() => setBusy(false));
  };

  return (
    <form className="find-user" onSubmit={submit} role="search">
      <label htmlFor={inputId}>{t.findHandle}</label>
      <input
        id={inputId}
        value={handle}
        onChange={(event) => setHandle(event.target.value)}
        placeholder={t.findHandlePlaceholder}
        autoComplete="off"
        spellCheck={false}
        aria-invalid={error !== null}
        aria-describedby={error ? errorId : undefined}
      />
      <button type="submit" disabled={busy || handle.trim() === ''}>
        {busy ? t.finding : t.startChat}
      </button>
      {error && (
        <p id={errorId} role="alert" className="find-user__error" data-testid="find-user-error">
          {error}
        </p>
      )}
    </form>
  );
}
