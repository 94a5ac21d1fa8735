import { SendHorizontal } from 'lucide-react';
import { type KeyboardEvent, useId, useState } from 'react';
import type { ChatMessages } from './messages.js';

/**
 * The message composer: Enter sends, Shift+Enter starts a new line. A failed send says why when
 * the reason is the recipient's (`queue-full`: their device has too much undelivered, named by
 * `nameOf`), else that it was not sent; never the failure's code or developer message.
 */
export function Composer(props: { t: ChatMessages; onSend: (body: string) => Promise<unknown>; nameOf: (userId: string | undefined) => string }) {
  const { t, onSend, nameOf } = props;
  const inputId = useId();
  const hintId = useId();
  const [draft, setDraft] = useState('');
  const [failure, setFailure] = useState<string | null>(null);

  const send = () => {
    const body = draft.trim();
    if (!body) return;
    setDraft('');
    setFailure(null);
    onSend(body).catch((error: unknown) => {
      const { code, userId } = (error ?? {}) as { code?: unknown; userId?: unknown };
      setFailure(code === 'queue-full' ? t.queueFull(nameOf(typeof userId === 'string' ? userId : undefined)) : t.sendFailed);
    });
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
        rows={1}
        // Opening a conversation is a request to write in it.
        autoFocus
        value={draft}
        // Short enough for a phone; the keys are said to screen readers and shown as a tooltip.
        placeholder={t.messagePlaceholder}
        title={t.composerHint}
        aria-describedby={hintId}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
        data-testid="composer"
      />
      <span id={hintId} className="visually-hidden">
        {t.composerHint}
      </span>
      <button type="submit" className="icon-button" aria-label={t.send} title={t.send} disabled={draft.trim() === ''}>
        <SendHorizontal aria-hidden="true" size={20} />
      </button>
      {failure && (
        <p role="alert" className="composer__error">
          {failure}
        </p>
      )}
    </form>
  );
}
