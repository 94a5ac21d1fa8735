import { useBehavior, useObservable } from '@parley/bus-react';
import type { CallEntry, CallMedia } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { ContactNotice, ConversationSummary, HistoryMessage, Messenger } from '@parley/messenger';
import { useCallback, useMemo, useState, useSyncExternalStore } from 'react';
import type { CallLog } from './call-log.js';
import { ContactNotices } from './ContactNotices.js';
import { ConversationHeader } from './ConversationHeader.js';
import { featureMessagesFor } from './feature-messages.js';
import { MessageThread } from './MessageThread.js';
import type { ChatMessages } from './messages.js';
import { pageVisible, subscribeVisibility } from './page-visibility.js';
import { useReadReceipts } from './read-receipts.js';
import { SafetyNumberView } from './SafetyNumberView.js';
import { ScheduledCallsPanel } from './ScheduledCallsPanel.js';
import { TypingIndicator, useTypingReporter } from './TypingIndicator.js';

const NO_MESSAGES: readonly HistoryMessage[] = [];
const NO_CALLS: readonly CallEntry[] = [];

/**
 * An open 1:1 conversation: its header (calls, options), scheduled calls, contact notices, and the
 * message thread with its composer; the safety number in its place when asked for.
 */
export function ConversationView(props: {
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
  /** A message a search result opened. */
  foundId?: string | undefined;
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
  const reportDraft = useTypingReporter(messenger, conversationId);

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
      <MessageThread
        messenger={messenger}
        conversationId={conversationId}
        t={t}
        locale={locale}
        peerName={peer.displayName}
        messages={history}
        calls={calls}
        nameOfUser={() => peer.displayName}
        composerNameOf={() => peer.displayName}
        canWrite
        onDraftChange={reportDraft}
        typing={<TypingIndicator messenger={messenger} conversationId={conversationId} nameOf={() => peer.displayName} t={featureMessagesFor(locale)} />}
        {...(props.foundId ? { foundId: props.foundId } : {})}
      />
    </section>
  );
}
