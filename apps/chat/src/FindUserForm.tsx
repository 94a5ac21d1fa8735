import type { ConversationSummary } from '@parley/messenger';
import { MessageSquarePlus, Search } from 'lucide-react';
import { type FormEvent, useId, useState } from 'react';
import { type ChatMessages, findFailureText } from './messages.js';

/**
 * The search box above the conversation list, as in WhatsApp: typing filters the list (`onQuery`),
 * Enter or "Start chat" finds a user by handle and opens (or starts) the conversation with them.
 */
export function FindUserForm(props: {
  t: ChatMessages;
  findUser: (handle: string) => Promise<ConversationSummary>;
  onFound: (found: ConversationSummary) => void;
  onQuery: (query: string) => void;
}) {
  const { t, findUser, onFound, onQuery } = props;
  const inputId = useId();
  const errorId = useId();
  const [handle, setHandle] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const change = (value: string) => {
    setHandle(value);
    setError(null);
    onQuery(value);
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const wanted = handle.trim().replace(/^@/, '').toLowerCase();
    if (!wanted || busy) return;
    setBusy(true);
    setError(null);
    findUser(wanted)
      .then((found) => {
        change('');
        onFound(found);
      })
      .catch((failure: unknown) => setError(findFailureText(t, failure)))
      .finally(() => setBusy(false));
  };

  return (
    <form className="find-user" onSubmit={submit} role="search">
      <label htmlFor={inputId} className="visually-hidden">
        {t.findHandle}
      </label>
      <span className="find-user__field">
        <Search className="find-user__icon" aria-hidden="true" size={18} />
        <input
          id={inputId}
          type="text"
          value={handle}
          onChange={(event) => change(event.target.value)}
          placeholder={t.findHandlePlaceholder}
          autoComplete="off"
          spellCheck={false}
          aria-invalid={error !== null}
          aria-describedby={error ? errorId : undefined}
        />
      </span>
      <button type="submit" className="icon-button" aria-label={busy ? t.finding : t.startChat} title={t.startChat} disabled={busy || handle.trim() === ''}>
        <MessageSquarePlus aria-hidden="true" size={20} />
      </button>
      {error && (
        <p id={errorId} role="alert" className="find-user__error" data-testid="find-user-error">
          {error}
        </p>
      )}
    </form>
  );
}
