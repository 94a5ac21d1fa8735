import type { CallEntry, MessageRef } from '@parley/contracts';
import type { HistoryMessage, Messenger } from '@parley/messenger';
import { Reply, X } from 'lucide-react';
import { type KeyboardEvent, type ReactNode, useMemo, useRef, useState } from 'react';
import { keyOfMessage, MESSAGE_KEY_ATTRIBUTE } from './BubbleParts.js';
import { AttachingComposer } from './attachments/AttachingComposer.js';
import { Composer } from './Composer.js';
import { DeleteMessageDialog } from './DeleteMessageDialog.js';
import type { BubbleActions } from './MessageActionsButton.js';
import './message-actions.css';
import { MessageEditor } from './MessageEditor.js';
import { MessageList } from './MessageList.js';
import type { ChatMessages } from './messages.js';

const refOf = (message: HistoryMessage): MessageRef => ({ authorUserId: message.from.userId, messageId: message.messageId });

/**
 * A conversation's messages and composer (1:1 and group), with what people do to messages: reply
 * (a quote above the composer, Escape drops it), react, edit (in the composer's place) and delete
 * (a dialog). Without the messenger's message actions (an older shell) it is the plain list and
 * composer. `canWrite` false: a group this user left; the list stays, `notWriting` replaces the composer.
 */
export function MessageThread(props: {
  messenger: Messenger;
  conversationId: string;
  t: ChatMessages;
  locale: string;
  /** The list's accessible name is `listLabel(peerName)` (t.messages by default). */
  peerName: string;
  listLabel?: (name: string) => string;
  messages: readonly HistoryMessage[];
  calls?: readonly CallEntry[];
  /** Group chats: the sender's name on incoming messages. */
  senderName?: (message: HistoryMessage) => string;
  /** Anyone's name in this conversation (quotes, reactions). */
  nameOfUser: (userId: string) => string;
  /** Whose device a failed send was about (the composer's queue-full text). */
  composerNameOf: (userId: string | undefined) => string;
  canWrite: boolean;
  notWriting?: ReactNode;
  /** Extra controls in a bubble's meta line (group chats: "Message info" on own messages). */
  metaControls?: (message: HistoryMessage) => ReactNode;
  /** The message a search result opened: highlighted, scrolled to and focused. */
  foundId?: string;
  /** The draft changed (typing indicators). */
  onDraftChange?: (draft: string) => void;
  /** Who is typing, shown above the composer while this user may write. */
  typing?: ReactNode;
}) {
  const { messenger, conversationId, t, locale, peerName, listLabel, messages, calls, senderName, nameOfUser, composerNameOf, canWrite, notWriting } = props;
  const api = messenger.messageActions?.();
  const selfId = messenger.self.userId;
  const [replyTo, setReplyTo] = useState<HistoryMessage | null>(null);
  const [editing, setEditing] = useState<HistoryMessage | null>(null);
  const [deleting, setDeleting] = useState<HistoryMessage | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const composerArea = useRef<HTMLDivElement>(null);
  const listT = useMemo(() => (listLabel ? { ...t, messages: listLabel } : t), [t, listLabel]);
  const nameOf = useRef(nameOfUser);
  nameOf.current = nameOfUser;

  const attempt = (task: Promise<unknown>) => {
    setFailure(null);
    task.catch(() => setFailure(t.actionFailed));
  };
  const focusComposer = () => requestAnimationFrame(() => composerArea.current?.querySelector<HTMLTextAreaElement>('textarea')?.focus());
  /** After a dialog: back to the message, or to the composer when it is gone. */
  const focusMessage = (message: HistoryMessage) =>
    requestAnimationFrame(() => {
      const bubble = [...document.querySelectorAll<HTMLElement>(`[${MESSAGE_KEY_ATTRIBUTE}]`)].find((b) => b.getAttribute(MESSAGE_KEY_ATTRIBUTE) === keyOfMessage(message));
      if (bubble) bubble.focus();
      else focusComposer();
    });

  const actions = useMemo<BubbleActions | undefined>(
    () =>
      api && {
        selfId,
        nameOf: (userId) => (userId === selfId ? t.you : nameOf.current(userId)),
        canWrite,
        onReply: (message) => {
          setEditing(null);
          setReplyTo(message);
          focusComposer();
        },
        onReact: (message, emoji) => attempt(api.react(conversationId, refOf(message), emoji)),
        onEdit: (message) => {
          setReplyTo(null);
          setEditing(message);
        },
        onDelete: (message) => setDeleting(message),
      },
    // attempt and focusComposer only set state and read refs.
    [api, selfId, t, canWrite, conversationId],
  );

  const send = (body: string) => {
    const quoted = replyTo;
    setReplyTo(null);
    return api && quoted ? api.reply(conversationId, body, quoted) : messenger.sendText(conversationId, body);
  };

  const onComposerKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && replyTo) {
      event.preventDefault();
      setReplyTo(null);
    }
  };

  return (
    <>
      <MessageList
        t={listT}
        locale={locale}
        peerName={peerName}
        messages={messages}
        transfer={messenger.attachments?.()}
        {...(calls ? { calls } : {})}
        {...(senderName ? { senderName } : {})}
        {...(actions ? { actions } : {})}
        {...(props.metaControls ? { metaControls: props.metaControls } : {})}
        {...(props.foundId ? { foundId: props.foundId } : {})}
      />
      {failure && (
        <p role="alert" className="composer__error message-thread__error">
          {failure}
        </p>
      )}
      {canWrite && editing && api && (
        <MessageEditor
          t={t}
          message={editing}
          onSave={(body) => {
            setEditing(null);
            attempt(api.edit(conversationId, editing.messageId, body));
            focusComposer();
          }}
          onCancel={() => {
            setEditing(null);
            focusComposer();
          }}
        />
      )}
      {canWrite && props.typing}
      {canWrite ? (
        // Kept while editing (hidden), so the draft the person was writing is still there after.
        <div ref={composerArea} hidden={editing !== null} onKeyDown={onComposerKey} className="composer-context-frame">
          {replyTo && (
            <div className="composer-context" data-testid="reply-preview">
              <Reply aria-hidden="true" size={16} className="composer-context__icon" />
              <span className="composer-context__text">
                <strong>{t.replyingTo(replyTo.from.userId === selfId ? t.you : nameOfUser(replyTo.from.userId))}</strong>
                <span className="composer-context__excerpt">{replyTo.body}</span>
              </span>
              <button type="button" className="icon-button composer-context__close" aria-label={t.cancelReply} title={t.cancelReply} onClick={() => setReplyTo(null)}>
                <X aria-hidden="true" size={18} />
              </button>
            </div>
          )}
          <AttachingComposer messenger={messenger} conversationId={conversationId} locale={locale}>
            <Composer t={t} onSend={send} nameOf={composerNameOf} {...(props.onDraftChange ? { onDraftChange: props.onDraftChange } : {})} />
          </AttachingComposer>
        </div>
      ) : (
        notWriting
      )}
      {deleting && api && (
        <DeleteMessageDialog
          t={t}
          ownMessage={deleting.from.userId === selfId}
          onForMe={() => {
            setDeleting(null);
            attempt(api.deleteForMe(conversationId, refOf(deleting)));
            focusComposer();
          }}
          forEveryone={
            api.canDeleteForEveryone(deleting)
              ? () => {
                  setDeleting(null);
                  attempt(api.deleteForEveryone(conversationId, deleting.messageId));
                  focusMessage(deleting);
                }
              : null
          }
          onCancel={() => {
            setDeleting(null);
            focusMessage(deleting);
          }}
        />
      )}
    </>
  );
}
