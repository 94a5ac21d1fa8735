import type { HistoryMessage } from '@parley/messenger';
import { Check, Pencil, X } from 'lucide-react';
import { useState } from 'react';
import type { ChatMessages } from './messages.js';
import { TextEntryForm } from './TextEntryForm.js';

/**
 * Editing one of this user's messages, in the composer's place (as Signal Desktop does): the text
 * to change, Enter or Save keeps it, Escape or the cross cancels; Shift+Enter starts a new line.
 */
export function MessageEditor(props: { t: ChatMessages; message: HistoryMessage; onSave: (body: string) => void; onCancel: () => void }) {
  const { t, message, onSave, onCancel } = props;
  const [draft, setDraft] = useState(message.body);
  const unchanged = draft.trim() === '' || draft.trim() === message.body;

  const save = () => {
    if (unchanged) return;
    onSave(draft.trim());
  };

  return (
    <div className="composer-context-frame" data-testid="message-editor">
      <div className="composer-context">
        <Pencil aria-hidden="true" size={16} className="composer-context__icon" />
        <span className="composer-context__text">
          <strong>{t.editingMessage}</strong>
          <span className="composer-context__excerpt">{message.body}</span>
        </span>
        <button type="button" className="icon-button composer-context__close" aria-label={t.cancelEdit} title={t.cancelEdit} onClick={onCancel}>
          <X aria-hidden="true" size={18} />
        </button>
      </div>
      <TextEntryForm
        label={t.editingMessage}
        hint={t.editHint}
        value={draft}
        onChange={setDraft}
        onSubmit={save}
        onEscape={onCancel}
        onFocus={(event) => event.currentTarget.setSelectionRange(event.currentTarget.value.length, event.currentTarget.value.length)}
        submitLabel={t.saveEdit}
        submitIcon={<Check aria-hidden="true" size={20} />}
        canSubmit={!unchanged}
        testId="edit-composer"
      />
    </div>
  );
}
