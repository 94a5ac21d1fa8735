import type { ConversationSummary } from '@parley/messenger';
import { UsersRound } from 'lucide-react';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { ChatMessages } from './messages.js';

/** Handles typed as "ada, @grace bob": lower case, without "@", no empties. */
export function parseHandles(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((h) => h.replace(/^@/, '').trim().toLowerCase()).filter((h) => h.length > 0))];
}

/** "New group": a name and the members' handles; opens the new group. */
export function NewGroupForm(props: { t: ChatMessages; createGroup: (name: string, handles: readonly string[]) => Promise<ConversationSummary>; onCreated: (group: ConversationSummary) => void }) {
  const { t, createGroup, onCreated } = props;
  const nameId = useId();
  const membersId = useId();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const opener = useRef<HTMLButtonElement>(null);
  // Cancelled: the button comes back, and the focus with it, where the keyboard user was.
  const refocus = useRef(false);
  useEffect(() => {
    if (open || !refocus.current) return;
    refocus.current = false;
    opener.current?.focus();
  }, [open]);
  const close = () => {
    refocus.current = true;
    setOpen(false);
  };

  if (!open) {
    return (
      <button ref={opener} type="button" className="icon-button" aria-label={t.newGroup} title={t.newGroup} onClick={() => setOpen(true)} data-testid="new-group">
        <UsersRound aria-hidden="true" size={20} />
      </button>
    );
  }
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const handles = parseHandles(members);
    if (!name.trim() || handles.length === 0 || busy) return;
    setBusy(true);
    setError(null);
    createGroup(name.trim(), handles)
      .then((group) => {
        setName('');
        setMembers('');
        setOpen(false);
        onCreated(group);
      })
      .catch(() => setError(t.groupFailed))
      .finally(() => setBusy(false));
  };
  return (
    <form
      className="new-group new-group--open"
      onSubmit={submit}
      aria-label={t.newGroup}
      data-testid="new-group-form"
      onKeyDown={(event) => {
        if (event.key === 'Escape') close();
      }}
    >
      <h3 className="new-group__title">{t.newGroup}</h3>
      <label htmlFor={nameId}>{t.groupName}</label>
      <input id={nameId} autoFocus value={name} onChange={(event) => setName(event.target.value)} maxLength={128} autoComplete="off" data-testid="group-name" />
      <label htmlFor={membersId}>{t.groupMembers}</label>
      <input
        id={membersId}
        value={members}
        onChange={(event) => setMembers(event.target.value)}
        placeholder={t.groupMembersPlaceholder}
        autoComplete="off"
        spellCheck={false}
        data-testid="group-members"
      />
      <div className="new-group__actions">
        <button type="submit" className="button button--primary" disabled={busy || !name.trim() || parseHandles(members).length === 0}>
          {busy ? t.creatingGroup : t.createGroup}
        </button>
        <button type="button" className="button" onClick={close}>
          {t.cancel}
        </button>
      </div>
      {error && (
        <p role="alert" className="find-user__error" data-testid="new-group-error">
          {error}
        </p>
      )}
    </form>
  );
}
