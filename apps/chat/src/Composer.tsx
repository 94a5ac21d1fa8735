import { SendHorizontal } from 'lucide-react';
import { useState } from 'react';
import type { ChatMessages } from './messages.js';
import { TextEntryForm } from './TextEntryForm.js';

/**
 * The message composer: Enter sends, Shift+Enter starts a new line. A failed send says why when
 * the reason is the recipient's (`queue-full`: their device has too much undelivered, named by
 * `nameOf`), else that it was not sent; never the failure's code or developer message.
 */
export function Composer(props: {
  t: ChatMessages;
  onSend: (body: string) => Promise<unknown>;
  nameOf: (userId: string | undefined) => string;
  /** Every change of the draft (typing indicators), '' once it is sent. */
  onDraftChange?: ((draft: string) => void) | undefined;
}) {
  const { t, onSend, nameOf, onDraftChange } = props;
  const [draft, setDraftState] = useState('');
  const setDraft = (next: string) => {
    setDraftState(next);
    onDraftChange?.(next);
  };
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

  return (
    <TextEntryForm
      label={t.message}
      hint={t.composerHint}
      value={draft}
      onChange={setDraft}
      onSubmit={send}
      // Short enough for a phone; the keys are said to screen readers and shown as a tooltip.
      placeholder={t.messagePlaceholder}
      tooltip={t.composerHint}
      submitLabel={t.send}
      submitIcon={<SendHorizontal aria-hidden="true" size={20} />}
      canSubmit={draft.trim() !== ''}
      testId="composer"
    >
      {failure && (
        <p role="alert" className="composer__error">
          {failure}
        </p>
      )}
    </TextEntryForm>
  );
}
