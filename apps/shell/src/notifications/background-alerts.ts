/**
 * Which system notifications the page shows while nobody looks at it: one per ringing call, 1:1 or
 * group (closed once the call stops ringing here: answered, declined, ended, answered elsewhere) and one per
 * conversation with unread messages (replaced as more arrive, closed once the conversation is
 * read). Plain TypeScript over ports, so tests drive it with fakes; the browser's side is
 * notification-surface.ts, the wiring background-notifier.ts.
 */
import type { CallPresentationMode, CallState, GroupRing } from '@parley/contracts';
import type { ConversationSummary } from '@parley/messenger';
import type { NotificationMessages } from './notification-messages.js';

/** What a click on a notification should bring back: the ringing call, or a conversation. */
export type NotificationTarget = { readonly kind: 'call'; readonly callId: string } | { readonly kind: 'conversation'; readonly conversationId: string };

/** One notification to show; a later one with the same tag replaces it. */
export interface AlertNotification {
  readonly tag: string;
  readonly title: string;
  readonly body: string;
  /** Stays until the user acts (a ringing call), instead of fading. */
  readonly requireInteraction: boolean;
  /** Sound and show again although a notification with this tag is already up. */
  readonly renotify: boolean;
  readonly target: NotificationTarget;
}

/** Where notifications go (the service worker's registration in the browser). */
export interface NotificationSurface {
  show(notification: AlertNotification): void;
  close(tag: string): void;
}

/** What the alerts read from the page at the moment something happens. */
export interface AlertEnvironment {
  readonly surface: NotificationSurface;
  /** True while the user looks at the tab: visible and focused. Nothing is shown then. */
  attended(): boolean;
  /** The user's choice in Settings: message text in notifications, or only "New message". */
  showMessageText(): boolean;
  texts(): NotificationMessages;
}

/** The tag of a ringing call's notification. */
export const callTag = (callId: string) => `call:${callId}`;
/** The tag of a conversation's notification (one per conversation). */
export const conversationTag = (conversationId: string) => `conversation:${conversationId}`;

/** Raises and closes the page's notifications from call states and conversation summaries. */
export class BackgroundAlerts {
  /** The 1:1 call whose ringing notification is up. */
  private ringing: string | null = null;
  /** The group call whose ring's notification is up. */
  private groupRinging: string | null = null;
  /** A call is on (not idle): a group ring then rings nowhere (the call app ignores it). */
  private inCall = false;
  private presentation: CallPresentationMode = 'none';
  /** Unread count per conversation at the last summary; null until the first (it is the baseline). */
  private unread: Map<string, number> | null = null;
  private readonly shownConversations = new Set<string>();

  constructor(private readonly env: AlertEnvironment) {}

  /** A new `call.state`: an incoming call rings in the background, or its notification goes. */
  onCallState(state: CallState): void {
    this.inCall = state.phase !== 'idle';
    if (this.groupRinging !== null && state.callId === this.groupRinging) this.endGroupRing();
    const ringingNow = state.phase === 'incoming' && state.callId !== null ? state.callId : null;
    if (this.ringing !== null && this.ringing !== ringingNow) {
      this.env.surface.close(callTag(this.ringing));
      this.ringing = null;
    }
    if (ringingNow === null || this.ringing === ringingNow || this.env.attended()) return;
    this.ringing = ringingNow;
    const t = this.env.texts();
    this.env.surface.show({
      tag: callTag(ringingNow),
      title: t.incomingCall(state.peer?.displayName ?? ''),
      body: t.callKind(state.media ?? 'audio'),
      requireInteraction: true,
      renotify: true,
      target: { kind: 'call', callId: ringingNow },
    });
  }

  /**
   * A group call's ring arrived (`content.call-signaling` carrying a group ring, not from this user):
   * the call app shows its dialog, and in the background it rings like a 1:1 call.
   */
  onGroupRing(callId: string, ring: Pick<GroupRing, 'callerName' | 'groupName' | 'media'>): void {
    if (this.groupRinging !== null || this.inCall || this.env.attended()) return;
    this.groupRinging = callId;
    const t = this.env.texts();
    this.env.surface.show({
      tag: callTag(callId),
      title: t.incomingGroupCall(ring.callerName, ring.groupName),
      body: t.callKind(ring.media),
      requireInteraction: true,
      renotify: true,
      target: { kind: 'call', callId },
    });
  }

  /**
   * What the call app asks of the layout. A group ring's dialog is an overlay: once the call app
   * asks for something else, the ring is over (joined: the stage; declined: nothing).
   */
  onPresentation(mode: CallPresentationMode): void {
    const wasOverlay = this.presentation === 'overlay';
    this.presentation = mode;
    if (wasOverlay && mode !== 'overlay') this.endGroupRing();
  }

  /** Closes every notification these alerts raised (the session ends: nothing of it stays on screen). */
  closeAll(): void {
    for (const callId of [this.ringing, this.groupRinging]) if (callId !== null) this.env.surface.close(callTag(callId));
    for (const conversationId of this.shownConversations) this.env.surface.close(conversationTag(conversationId));
    this.ringing = null;
    this.groupRinging = null;
    this.shownConversations.clear();
  }

  private endGroupRing(): void {
    if (this.groupRinging === null) return;
    this.env.surface.close(callTag(this.groupRinging));
    this.groupRinging = null;
  }

  /** A new list of conversations: new unread messages notify, read conversations lose theirs. */
  onConversations(conversations: readonly ConversationSummary[]): void {
    const previous = this.unread;
    this.unread = new Map(conversations.map((c) => [c.conversationId, c.unread]));
    for (const conversationId of [...this.shownConversations]) {
      if ((this.unread.get(conversationId) ?? 0) > 0) continue;
      this.shownConversations.delete(conversationId);
      this.env.surface.close(conversationTag(conversationId));
    }
    // The first list is what was unread before this page started: told by the title, not by alerts.
    if (previous === null) return;
    for (const conversation of conversations) {
      const grew = conversation.unread > (previous.get(conversation.conversationId) ?? 0);
      if (!grew || conversation.lastMessage?.direction !== 'in' || this.env.attended()) continue;
      this.shownConversations.add(conversation.conversationId);
      this.env.surface.show(this.messageNotification(conversation));
    }
  }

  private messageNotification(conversation: ConversationSummary): AlertNotification {
    const t = this.env.texts();
    const last = conversation.lastMessage!;
    const several = conversation.unread > 1;
    let body = several ? t.newMessages(conversation.unread) : t.newMessage;
    if (this.env.showMessageText()) {
      const said = t.senderSaid(senderName(conversation, last.from.userId), last.body);
      body = several ? `${body}\n${said}` : said;
    }
    return {
      tag: conversationTag(conversation.conversationId),
      title: conversation.peer.displayName,
      body,
      requireInteraction: false,
      renotify: true,
      target: { kind: 'conversation', conversationId: conversation.conversationId },
    };
  }
}

/** Who sent a message: the peer of a 1:1 chat, the member of a group (their id if unknown). */
function senderName(conversation: ConversationSummary, userId: string): string {
  if (conversation.kind !== 'group') return conversation.peer.displayName;
  return conversation.group?.members.find((m) => m.userId === userId)?.displayName ?? userId;
}

/** Every unread message over all conversations: the count the tab's title and icon carry. */
export function unreadTotal(conversations: readonly ConversationSummary[]): number {
  return conversations.reduce((sum, c) => sum + c.unread, 0);
}
