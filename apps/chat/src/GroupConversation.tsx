import { useBehavior, useObservable } from '@parley/bus-react';
import type { CallEntry, CallMedia } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { ConversationSummary, GroupInfo, HistoryMessage, Messenger } from '@parley/messenger';
import { CalendarClock, Video } from 'lucide-react';
import { type FormEvent, useCallback, useId, useMemo, useState } from 'react';
import { of } from 'rxjs';
import { Avatar } from './Avatar.js';
import { callLinksEntries, useCallLinks } from './call-links.js';
import type { CallLog } from './call-log.js';
import { HeaderFrame } from './HeaderFrame.js';
import { MessageThread } from './MessageThread.js';
import type { ChatMessages } from './messages.js';
import { parseHandles } from './NewGroupForm.js';
import { useReadReceipts } from './read-receipts.js';
import { OptionsMenu } from './OptionsMenu.js';
import { ScheduledCallsPanel } from './ScheduledCallsPanel.js';
import { featureMessagesFor } from './feature-messages.js';
import { TypingIndicator, useTypingReporter } from './TypingIndicator.js';
import { MessageInfoButton } from './MessageInfo.js';

const NO_MESSAGES: readonly HistoryMessage[] = [];
const NO_CALLS: readonly CallEntry[] = [];
const NO_CALLS$ = of(NO_CALLS);

/**
 * An open group chat: name and members in the header with "Start group call" (published as
 * `call.group-requested` for the call app), the member list with add and remove, the messages
 * with their senders' names, and the composer while this user is a member.
 */
export function GroupConversationView(props: {
  bus: EventBus;
  messenger: Messenger;
  conversation: ConversationSummary & { group: GroupInfo };
  locale: string;
  t: ChatMessages;
  visible: boolean;
  onBack: () => void;
  /** The page's call log: the group's calls show between its messages. */
  callLog?: CallLog;
  /** A message a search result opened. */
  foundId?: string | undefined;
}) {
  const { bus, messenger, conversation, locale, t, visible, onBack } = props;
  const { conversationId, group } = conversation;
  const history$ = useMemo(() => messenger.history$(conversationId), [messenger, conversationId]);
  const history = useObservable(history$, NO_MESSAGES);
  const calls$ = useMemo(() => props.callLog?.entries$(conversationId) ?? NO_CALLS$, [props.callLog, conversationId]);
  const calls = useObservable(calls$, NO_CALLS);
  const [error, setError] = useState<string | null>(null);
  const names = useMemo(() => new Map(group.members.map((m) => [m.userId, m.displayName])), [group.members]);
  const selfId = messenger.self.userId;
  const schedules = messenger.scheduledCalls?.();
  const [scheduling, setScheduling] = useState(false);
  const callsAvailable = useBehavior(bus.state('call.available'));
  const openCallLinks = useCallLinks(bus);
  const options = [
    ...(schedules
      ? [{ label: t.scheduleCall, icon: <CalendarClock aria-hidden="true" size={18} />, onSelect: () => setScheduling(true), disabled: !group.active, testId: 'schedule-call' }]
      : []),
    ...callLinksEntries(t, openCallLinks),
  ];

  useReadReceipts(messenger, conversationId, history, visible);
  const reportDraft = useTypingReporter(messenger, conversationId);
  const f = featureMessagesFor(locale);
  const nameOf = useCallback((userId: string) => names.get(userId) ?? userId, [names]);
  // Own messages that went to members (memberDelivery) have receipts to show.
  const messageActions = useCallback(
    (message: HistoryMessage) => (message.direction === 'out' && message.memberDelivery ? <MessageInfoButton message={message} nameOf={nameOf} locale={locale} t={f} /> : null),
    [nameOf, locale, f],
  );

  const act = (task: Promise<unknown>) => {
    setError(null);
    task.catch(() => setError(t.groupFailed));
  };
  const startCall = (media: CallMedia) =>
    bus.publish('call.group-requested', {
      groupId: conversationId,
      name: group.name,
      members: group.members.filter((m) => m.userId !== selfId).map((m) => ({ userId: m.userId, displayName: m.displayName })),
      media,
    });

  return (
    <section className="conversation conversation--group" aria-label={group.name} data-testid="conversation" data-kind="group">
      <HeaderFrame
        t={t}
        onBack={onBack}
        avatar={<Avatar id={conversationId} name={group.name} group />}
        title={
          <>
            <span className="conversation__name">{group.name}</span>
            <small className="conversation__handle"> {t.memberCount(group.members.length)}</small>
          </>
        }
      >
        <button
          type="button"
          className="icon-button"
          aria-label={t.startGroupCall}
          title={t.startGroupCall}
          onClick={() => startCall('video')}
          disabled={!group.active}
          data-testid="start-group-call"
        >
          <Video aria-hidden="true" size={22} />
        </button>
        {options.length > 0 && <OptionsMenu label={t.chatOptions} entries={options} />}
      </HeaderFrame>
      {schedules && (
        <ScheduledCallsPanel
          bus={bus}
          schedules={schedules}
          conversationId={conversationId}
          selfId={selfId}
          invitees={group.members.filter((m) => m.userId !== selfId).map((m) => m.displayName)}
          t={t}
          locale={locale}
          callsAvailable={callsAvailable}
          formOpen={scheduling && group.active}
          onCloseForm={() => setScheduling(false)}
        />
      )}
      <details className="group-members" data-testid="group-members-panel">
        <summary>{t.members}</summary>
        <ul className="group-members__list" data-testid="group-member-list">
          {group.members.map((member) => (
            <li key={member.userId} data-testid="group-member" data-handle={member.handle}>
              <Avatar id={member.userId} name={member.displayName} size="sm" />
              <span className="group-members__name">{member.displayName}</span>
              {member.handle && <small className="conversation__handle"> @{member.handle}</small>}
              {group.active && member.userId !== selfId && messenger.removeMember && (
                <button
                  type="button"
                  className="button button--small"
                  aria-label={t.removeMember(member.displayName)}
                  onClick={() => act(messenger.removeMember!(conversationId, member.userId))}
                  data-testid="remove-member"
                >
                  {t.remove}
                </button>
              )}
            </li>
          ))}
        </ul>
        {group.active && messenger.addMembers && <AddMemberForm t={t} onAdd={(handles) => messenger.addMembers!(conversationId, handles)} />}
        {error && (
          <p role="alert" className="find-user__error">
            {error}
          </p>
        )}
      </details>
      <MessageThread
        messenger={messenger}
        conversationId={conversationId}
        t={t}
        locale={locale}
        peerName={group.name}
        listLabel={t.groupMessages}
        messages={history}
        calls={calls}
        senderName={(message) => nameOf(message.from.userId)}
        nameOfUser={nameOf}
        composerNameOf={(userId) => (userId && names.get(userId)) || group.name}
        canWrite={group.active}
        metaControls={messageActions}
        onDraftChange={reportDraft}
        typing={<TypingIndicator messenger={messenger} conversationId={conversationId} nameOf={nameOf} t={f} />}
        {...(props.foundId ? { foundId: props.foundId } : {})}
        notWriting={
          <p className="conversation__empty" data-testid="group-not-member">
            {t.notAMember}
          </p>
        }
      />
    </section>
  );
}

function AddMemberForm({ t, onAdd }: { t: ChatMessages; onAdd: (handles: readonly string[]) => Promise<void> }) {
  const inputId = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const handles = parseHandles(value);
    if (handles.length === 0 || busy) return;
    setBusy(true);
    setError(null);
    onAdd(handles)
      .then(() => setValue(''))
      .catch(() => setError(t.groupFailed))
      .finally(() => setBusy(false));
  };
  return (
    <form className="add-member" onSubmit={submit} aria-label={t.addMember}>
      <label htmlFor={inputId}>{t.addMemberHandle}</label>
      <input id={inputId} value={value} onChange={(event) => setValue(event.target.value)} autoComplete="off" spellCheck={false} data-testid="add-member-handle" />
      <button type="submit" className="button" disabled={busy || parseHandles(value).length === 0} data-testid="add-member">
        {t.add}
      </button>
      {error && (
        <p role="alert" className="find-user__error">
          {error}
        </p>
      )}
    </form>
  );
}
