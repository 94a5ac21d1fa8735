import { useBehavior, useObservable } from '@parley/bus-react';
import type { CallEntry, CallMedia, RemoteProps } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { ContactNotice, ConversationSummary, HistoryMessage, Messenger } from '@parley/messenger';
import { LockKeyhole, MessageCircle } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { BehaviorSubject, map } from 'rxjs';
import { CallLog } from './call-log.js';
import { CallLinksButton, useCallLinks } from './call-links.js';
import { CallReminders } from './CallReminders.js';
import './chat.css';
import { Composer } from './Composer.js';
import { ContactNotices } from './ContactNotices.js';
import { ConversationHeader } from './ConversationHeader.js';
import { ConversationList } from './ConversationList.js';
import { byLatest, filterConversations, listedConversations } from './conversation-list-model.js';
import { FindUserForm } from './FindUserForm.js';
import { GroupConversationView } from './GroupConversation.js';
import { MessageList } from './MessageList.js';
import { type ChatMessages, messagesFor } from './messages.js';
import { NewGroupForm } from './NewGroupForm.js';
import { SafetyNumberView } from './SafetyNumberView.js';
import { useReadReceipts } from './read-receipts.js';
import { type ScheduleEnvironment, ScheduleEnvironmentProvider } from './schedule-environment.js';
import { ScheduledCallsPanel } from './ScheduledCallsPanel.js';

const NO_CONVERSATIONS: readonly ConversationSummary[] = [];
const NO_NOTICES: readonly ContactNotice[] = [];
const NO_MESSAGES: readonly HistoryMessage[] = [];
const NO_CALLS: readonly CallEntry[] = [];
const NO_LAST_CALLS: ReadonlyMap<string, CallEntry> = new Map();
const NO_IDS: ReadonlySet<string> = new Set();
const NO_SCHEDULES$ = new BehaviorSubject<ReadonlySet<string>>(NO_IDS);

function subscribeVisibility(onChange: () => void): () => void {
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
}

const pageVisible = () => document.visibilityState !== 'hidden';

/**
 * The chat app: find people, the conversation list and the open conversation. `callLog` keeps the
 * calls the call app reports (`call.entry`); the remote passes the page's one, so entries survive a
 * remount; without it the app keeps its own. `scheduleEnvironment` (clock, time zone, link origin,
 * notifications) is the browser's unless a test gives its own.
 */
export function ChatApp({
  bus,
  remote,
  messenger,
  callLog,
  scheduleEnvironment,
}: {
  bus: EventBus;
  remote: RemoteProps;
  messenger: Messenger | null;
  callLog?: CallLog;
  scheduleEnvironment?: ScheduleEnvironment;
}) {
  const t = messagesFor(remote.locale);
  if (!messenger) {
    return (
      <div className="chat-app" data-testid="chat-app">
        <p className="chat-app__signed-out">{t.signedOut}</p>
      </div>
    );
  }
  const chat = <SignedInChat bus={bus} remote={remote} messenger={messenger} t={t} callLog={callLog} />;
  return scheduleEnvironment ? <ScheduleEnvironmentProvider value={scheduleEnvironment}>{chat}</ScheduleEnvironmentProvider> : chat;
}

function SignedInChat(props: { bus: EventBus; remote: RemoteProps; messenger: Messenger; t: ChatMessages; callLog: CallLog | undefined }) {
  const { bus, remote, messenger, t } = props;
  const ownLog = useMemo(() => new CallLog(), []);
  const callLog = props.callLog ?? ownLog;
  useEffect(() => callLog.listen(bus, messenger), [callLog, bus, messenger]);
  const conversations = useObservable(messenger.conversations$, NO_CONVERSATIONS);
  const notices = useObservable(messenger.notices$, NO_NOTICES);
  const [openId, setOpenId] = useState<string | null>(null);
  // findUser's answer, until the conversation shows up in the list (it has no message yet).
  const [found, setFound] = useState<ConversationSummary | null>(null);
  const open = conversations.find((c) => c.conversationId === openId) ?? (found?.conversationId === openId ? found : null);
  const visible = useSyncExternalStore(subscribeVisibility, pageVisible, () => true);
  const schedules = messenger.scheduledCalls?.();
  const callsAvailable = useBehavior(bus.state('call.available'));
  const openCallLinks = useCallLinks(bus);
  const lastCalls$ = useMemo(() => callLog.latest$(), [callLog]);
  const lastCalls = useObservable(lastCalls$, NO_LAST_CALLS);
  const scheduled$ = useMemo(() => schedules?.all$.pipe(map((calls) => new Set(calls.map((call) => call.conversationId)) as ReadonlySet<string>)), [schedules]);
  const withSchedules = useObservable(scheduled$ ?? NO_SCHEDULES$, NO_IDS);
  const [query, setQuery] = useState('');
  const withCalls = useMemo(() => new Set(lastCalls.keys()), [lastCalls]);
  const listed = useMemo(
    () => byLatest(listedConversations(conversations, { openId, withCalls, withSchedules }), lastCalls),
    [conversations, openId, withCalls, withSchedules, lastCalls],
  );
  const shown = filterConversations(listed, query);
  const openConversation = (summary: ConversationSummary) => {
    setFound(summary);
    setOpenId(summary.conversationId);
  };
  const back = useCallback(() => setOpenId(null), []);

  return (
    <div className="chat-app" data-testid="chat-app">
      {schedules && <CallReminders bus={bus} schedules={schedules} t={t} callsAvailable={callsAvailable} />}
      {/* One pane at a time when narrow (container queries in chat.css): the list, or the open chat. */}
      <div className="chat-app__panes" data-pane={open ? 'conversation' : 'list'}>
        <nav className="chat-app__list" aria-label={t.conversations}>
          <div className="chat-app__list-header">
            <h2 className="chat-app__title">{t.chats}</h2>
            {messenger.createGroup && <NewGroupForm t={t} createGroup={(name, handles) => messenger.createGroup!(name, handles)} onCreated={openConversation} />}
            <CallLinksButton t={t} openCallLinks={openCallLinks} />
          </div>
          <FindUserForm t={t} findUser={(handle) => messenger.findUser(handle)} onFound={openConversation} onQuery={setQuery} />
          <ConversationList
            t={t}
            locale={remote.locale}
            conversations={shown}
            lastCalls={lastCalls}
            openId={openId}
            onOpen={setOpenId}
            identityChanged={new Set(notices.filter((n) => n.kind === 'identity-changed').map((n) => n.userId))}
            empty={query.trim() ? t.noMatches(query.trim()) : `${t.noConversations} ${t.emptyListHint}`}
          />
        </nav>
        {open?.kind === 'group' && open.group ? (
          <GroupConversationView
            key={open.conversationId}
            bus={bus}
            messenger={messenger}
            conversation={{ ...open, group: open.group }}
            locale={remote.locale}
            t={t}
            visible={visible}
            onBack={back}
          />
        ) : open ? (
          <ConversationView
            key={open.conversationId}
            bus={bus}
            messenger={messenger}
            callLog={callLog}
            conversation={open}
            openCallLinks={openCallLinks}
            notices={notices.filter((notice) => notice.userId === open.peer.userId)}
            locale={remote.locale}
            t={t}
            onBack={back}
          />
        ) : (
          <section className="conversation conversation--none" aria-labelledby="chat-welcome-title">
            <div className="chat-welcome">
              <MessageCircle className="chat-welcome__logo" aria-hidden="true" size={64} />
              <h2 id="chat-welcome-title">{t.welcomeTitle}</h2>
              <p className="conversation__empty">{t.noConversationOpen}</p>
              <p className="chat-welcome__hint">{t.welcomeHint}</p>
              <p className="chat-welcome__lock">
                <LockKeyhole aria-hidden="true" size={14} />
                <span>{t.encryptedHint}</span>
              </p>
            </div>
          </section>
        )}
      </div>
    </div>
  );
}

function ConversationView(props: {
  bus: EventBus;
  messenger: Messenger;
  callLog: CallLog;
  conversation: ConversationSummary;
  /** "Call links" from the header's menu (null while the call app cannot show them). */
  openCallLinks: (() => void) | null;
  notices: readonly ContactNotice[];
  locale: string;
  t: ChatMessages;
  onBack: () => void;
}) {
  const { bus, messenger, callLog, conversation, openCallLinks, notices, locale, t, onBack } = props;
  const { conversationId, peer } = conversation;
  const callsAvailable = useBehavior(bus.state('call.available'));
  // Only whether this conversation is in a call: the call state changes several times while a
  // call sets up, and re-rendering the conversation each time takes the CPU the call needs.
  const inCall = useBehavior(bus.state('call.state'), (call) => call.conversationId === conversationId && call.phase !== 'idle' && call.phase !== 'ended');
  const history$ = useMemo(() => messenger.history$(conversationId), [messenger, conversationId]);
  const history = useObservable(history$, NO_MESSAGES);
  const calls$ = useMemo(() => callLog.entries$(conversationId), [callLog, conversationId]);
  const calls = useObservable(calls$, NO_CALLS);
  const [showSafetyNumber, setShowSafetyNumber] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const schedules = messenger.scheduledCalls?.();
  const loadSafetyNumber = useCallback(() => messenger.safetyNumber(peer.userId), [messenger, peer.userId]);

  // Incoming messages shown in an open conversation of a visible page are read: send the
  // receipts once each (again when the page comes back into view).
  const visible = useSyncExternalStore(subscribeVisibility, pageVisible, () => true);
  useReadReceipts(messenger, conversationId, history, visible);

  const requestCall = (media: CallMedia) =>
    bus.publish('call.requested', { conversationId, peer: { userId: peer.userId, displayName: peer.displayName }, media });

  if (showSafetyNumber) {
    return (
      <section className="conversation" aria-label={peer.displayName}>
        <SafetyNumberView t={t} name={peer.displayName} load={loadSafetyNumber} onBack={() => setShowSafetyNumber(false)} />
      </section>
    );
  }
  return (
    <section className="conversation" aria-label={peer.displayName} data-testid="conversation" data-handle={peer.handle}>
      <ConversationHeader
        peer={peer}
        t={t}
        callsAvailable={callsAvailable}
        inCall={inCall}
        onCall={requestCall}
        onBack={onBack}
        onSafetyNumber={() => setShowSafetyNumber(true)}
        onCallLinks={openCallLinks}
        {...(schedules ? { onSchedule: () => setScheduling(true) } : {})}
      />
      {schedules && (
        <ScheduledCallsPanel
          bus={bus}
          schedules={schedules}
          conversationId={conversationId}
          selfId={messenger.self.userId}
          invitees={[peer.displayName]}
          t={t}
          locale={locale}
          callsAvailable={callsAvailable}
          formOpen={scheduling}
          onCloseForm={() => setScheduling(false)}
        />
      )}
      <ContactNotices
        t={t}
        name={peer.displayName}
        notices={notices}
        onAccept={() => messenger.acceptIdentity(peer.userId)}
        onSafetyNumber={() => setShowSafetyNumber(true)}
      />
      <MessageList t={t} locale={locale} peerName={peer.displayName} messages={history} calls={calls} />
      <Composer t={t} onSend={(body) => messenger.sendText(conversationId, body)} nameOf={() => peer.displayName} />
    </section>
  );
}
