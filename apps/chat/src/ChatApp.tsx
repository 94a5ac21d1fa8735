import { useBehavior, useObservable } from '@parley/bus-react';
import type { CallEntry, RemoteProps } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { ContactNotice, ConversationSummary, HistoryMessage, Messenger } from '@parley/messenger';
import { LockKeyhole, MessageCircle } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { BehaviorSubject, map } from 'rxjs';
import { CallLog, type UnseenMissedCalls } from './call-log.js';
import { callHistoryMessagesFor } from './call-history-messages.js';
import { CallsButton } from './CallsButton.js';
import { CallLinksButton, useCallLinks } from './call-links.js';
import { CallReminders } from './CallReminders.js';
import './chat.css';
import './lazy-parts.css';
import { ConversationList } from './ConversationList.js';
import { useConversationRequests } from './conversation-requests.js';
import { byLatest, filterConversations, listedConversations } from './conversation-list-model.js';
import { FindUserForm } from './FindUserForm.js';
import { usePrefetchWhenIdle } from './idle-prefetch.js';
import { openConversationParts, prefetchOpenConversation } from './lazy-open-conversation.js';
import { ConversationPending } from './ConversationPending.js';
import { type ChatMessages, messagesFor } from './messages.js';
import { NewGroupForm } from './NewGroupForm.js';
import { featureMessagesFor } from './feature-messages.js';
import { pageVisible, subscribeVisibility } from './page-visibility.js';
import { LazyPart } from './part-loader.js';
import { type ScheduleEnvironment, ScheduleEnvironmentProvider } from './schedule-environment.js';

const NO_CONVERSATIONS: readonly ConversationSummary[] = [];
const NO_NOTICES: readonly ContactNotice[] = [];
const NO_LAST_CALLS: ReadonlyMap<string, CallEntry> = new Map();
const NO_IDS: ReadonlySet<string> = new Set();
const NO_SCHEDULES$ = new BehaviorSubject<ReadonlySet<string>>(NO_IDS);
const NO_UNSEEN: UnseenMissedCalls = { total: 0, byConversation: new Map() };

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
  // The Calls view takes the list's place (WhatsApp's Calls tab); the badges count missed calls it has not shown.
  const h = callHistoryMessagesFor(remote.locale);
  const [showCalls, setShowCalls] = useState(false);
  const unseen$ = useMemo(() => callLog.unseenMissed$(), [callLog]);
  const unseen = useObservable(unseen$, NO_UNSEEN);
  // A clicked notification opens its conversation, leaving the Calls view if it was shown.
  const openRequested = useCallback((id: string) => {
    setShowCalls(false);
    setOpenId(id);
  }, []);
  useConversationRequests(bus, openRequested);
  // The list is usable without the open-conversation chunk; fetch it before the user opens a chat.
  usePrefetchWhenIdle(prefetchOpenConversation);
  // The message a search result opened, until another conversation is opened.
  const [jump, setJump] = useState<{ conversationId: string; messageId: string } | null>(null);
  const foundId = jump !== null && jump.conversationId === openId ? jump.messageId : undefined;
  const openFound = (message: HistoryMessage) => {
    setJump({ conversationId: message.conversationId, messageId: message.messageId });
    setOpenId(message.conversationId);
  };

  return (
    <div className="chat-app" data-testid="chat-app">
      {schedules && <CallReminders bus={bus} schedules={schedules} t={t} callsAvailable={callsAvailable} />}
      {/* One pane at a time when narrow (container queries in chat.css): the list, or the open chat. */}
      <div className="chat-app__panes" data-pane={open ? 'conversation' : 'list'}>
        <nav className="chat-app__list" aria-label={t.conversations}>
          <div className="chat-app__list-header">
            <h2 className="chat-app__title">{showCalls ? h.calls : t.chats}</h2>
            {!showCalls && messenger.createGroup && <NewGroupForm t={t} createGroup={(name, handles) => messenger.createGroup!(name, handles)} onCreated={openConversation} />}
            <CallLinksButton t={t} openCallLinks={openCallLinks} />
            <CallsButton h={h} missed={unseen.total} pressed={showCalls} onToggle={() => setShowCalls((shown) => !shown)} />
          </div>
          {showCalls ? (
            <LazyPart
              loader={openConversationParts}
              loading={<p className="chat-app__part-status" role="status">{t.partLoading}</p>}
              failed={<p className="chat-app__part-status" role="alert">{t.partNotLoaded}</p>}
              render={({ CallsPane }) => <CallsPane bus={bus} callLog={callLog} t={t} h={h} locale={remote.locale} callsAvailable={callsAvailable} onOpenConversation={setOpenId} />}
            />
          ) : (
            <>
          <FindUserForm t={t} findUser={(handle) => messenger.findUser(handle)} onFound={openConversation} onQuery={setQuery} />
          {/* Arrives with the open-conversation chunk (fetched when idle); its place is kept so the list does not move. */}
          <LazyPart
            loader={openConversationParts}
            loadNow={false}
            loading={<div className="chat-app__search-pending" aria-hidden="true" />}
            failed={null}
            render={({ MessageSearchPanel }) => (
              <MessageSearchPanel messenger={messenger} conversations={conversations} locale={remote.locale} t={featureMessagesFor(remote.locale)} onOpen={openFound} />
            )}
          />
          <ConversationList
            t={t}
            locale={remote.locale}
            conversations={shown}
            lastCalls={lastCalls}
            openId={openId}
            onOpen={setOpenId}
            identityChanged={new Set(notices.filter((n) => n.kind === 'identity-changed').map((n) => n.userId))}
            empty={query.trim() ? t.noMatches(query.trim()) : `${t.noConversations} ${t.emptyListHint}`}
            missedCalls={unseen.byConversation}
            missedCallsLabel={h.missedCalls}
          />
            </>
          )}
        </nav>
        {open ? (
          <LazyPart
            key={open.conversationId}
            loader={openConversationParts}
            loading={<ConversationPending conversation={open} t={t} onBack={back} status="loading" />}
            failed={<ConversationPending conversation={open} t={t} onBack={back} status="failed" />}
            render={({ ConversationView, GroupConversationView }) =>
              open.kind === 'group' && open.group ? (
                <GroupConversationView
                  bus={bus}
                  messenger={messenger}
                  conversation={{ ...open, group: open.group }}
                  locale={remote.locale}
                  t={t}
                  visible={visible}
                  onBack={back}
                  callLog={callLog}
                  foundId={foundId}
                />
              ) : (
                <ConversationView
                  bus={bus}
                  messenger={messenger}
                  callLog={callLog}
                  conversation={open}
                  openCallLinks={openCallLinks}
                  notices={notices.filter((notice) => notice.userId === open.peer.userId)}
                  locale={remote.locale}
                  t={t}
                  onBack={back}
                  foundId={foundId}
                />
              )
            }
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
