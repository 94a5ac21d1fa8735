/**
 * The event bus contract: every event the apps exchange, with the contract version of its payload.
 * Events are either moments (`kind: 'event'`, delivered to whoever listens now) or states
 * (`kind: 'state'`, a current value every newcomer reads first).
 */
import type { CallHistorySyncContent } from './call-history-sync.js';
import type {
  CallSignalingContent,
  GroupKeyContent,
  GroupUpdateContent,
  ReceiptContent,
  ScheduledCallContent,
  SenderKeyContent,
  TextContent,
} from './content.js';
import type { HistoryTransferContent } from './history-transfer.js';
import type { DeleteContent, EditContent, ReactionContent } from './message-actions.js';
import type { TypingContent } from './typing.js';

/** Who a conversation is with; enough for the call app to show and ring them. */
export interface Peer {
  readonly userId: string;
  readonly displayName: string;
}

export type CallMedia = 'audio' | 'video';

/** Pressing "Voice call" or "Video call" in a chat. */
export interface CallRequest {
  readonly conversationId: string;
  readonly peer: Peer;
  readonly media: CallMedia;
}

/** "Start group call" in a group chat's header: the call app answers it (group calls, issue 8). */
export interface GroupCallRequest {
  readonly groupId: string;
  readonly name: string;
  /** Every member but the requester. */
  readonly members: readonly Peer[];
  readonly media: CallMedia;
}

export type CallPhase = 'idle' | 'outgoing' | 'incoming' | 'connecting' | 'active' | 'ended';

/** What the call app is doing right now; the shell and chat render badges from it. */
export interface CallState {
  readonly phase: CallPhase;
  readonly callId: string | null;
  readonly conversationId: string | null;
  readonly media: CallMedia | null;
  readonly peer: Peer | null;
}

export const IDLE_CALL_STATE: CallState = Object.freeze({
  phase: 'idle',
  callId: null,
  conversationId: null,
  media: null,
  peer: null,
});

/**
 * How a call ended, from this device's point of view. `hung-up`: answered, then ended by either
 * side (has a duration); `declined`: the callee declined; `busy`: the callee was in another call;
 * `missed`: nobody answered in time, or (for the callee) the caller cancelled; `cancelled`: the
 * caller gave up before an answer; `answered-elsewhere`: another device of this user took it;
 * `failed`: media never connected or broke down.
 */
export type CallOutcome = 'hung-up' | 'declined' | 'busy' | 'missed' | 'cancelled' | 'answered-elsewhere' | 'failed';

/** A finished call, for the chat to show in the conversation (one per call per device). */
export interface CallEntry {
  readonly callId: string;
  readonly conversationId: string;
  readonly peer: Peer;
  readonly direction: 'outgoing' | 'incoming';
  readonly media: CallMedia;
  readonly outcome: CallOutcome;
  /** When the call started ringing, ms since the epoch. */
  readonly startedAt: number;
  /** Answered calls: ms from connection to the end; null for calls never answered here. */
  readonly durationMs: number | null;
  /**
   * What the call was with (added with the call history; absent: `direct`): a person, a group call
   * on the SFU (a group chat's, or a 1:1 call moved there: `conversationId` says which chat), or a
   * call link (`conversationId` is `link:<roomId>`).
   */
  readonly kind?: 'direct' | 'group' | 'link';
  /** Link calls: the link's root secret, so the call history can open it again (stays on this user's devices). */
  readonly linkSecret?: string;
}

/**
 * How much of the page the call app needs, so the shell (which owns the layout) can give it:
 * `none`: nothing to show; `overlay`: only floating things (the incoming-call dialog, the
 * minimised call bar), laid over the chat without taking space; `stage`: the main area (a call is
 * on screen). The shell decides between the whole main area and a split with the chat (the user's
 * choice in Settings); the call app never needs a shell release to change what it asks for.
 */
export type CallPresentationMode = 'none' | 'overlay' | 'stage';

export interface CallPresentation {
  readonly mode: CallPresentationMode;
}

export const NO_CALL_PRESENTATION: CallPresentation = Object.freeze({ mode: 'none' });

/** A call link to join: its root secret (the URL fragment; never sent to a server). */
export interface CallLinkOpened {
  readonly secret: string;
}

/**
 * "Call links" chosen somewhere outside the call app (the chat's options menu): the call app shows
 * its call-links dialog. Nothing to say beyond the wish; the call app keeps the links.
 */
export type CallLinksRequest = Readonly<Record<string, never>>;

/**
 * Open this conversation (the user clicked a message notification): the chat shows it. Sent by the
 * shell; an older chat that does not listen simply stays where it was.
 */
export interface ConversationRequest {
  readonly conversationId: string;
}

/** The signed-in identity as the shell sees it. `temporary` marks the development identity. */
export interface Session {
  readonly userId: string;
  readonly displayName: string;
  readonly temporary: boolean;
}

export type RelayStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A decrypted content item routed to the app that handles its type. */
export interface Delivered<C> {
  readonly from: { readonly userId: string; readonly deviceId: number };
  readonly messageId: string;
  readonly content: C;
}

interface EventSpec<Kind extends 'event' | 'state', Payload> {
  readonly kind: Kind;
  readonly payload: Payload;
}

/** The whole bus: event type → kind and payload. */
export interface BusEventMap {
  'session.current': EventSpec<'state', Session | null>;
  'relay.status': EventSpec<'state', RelayStatus>;
  'call.available': EventSpec<'state', boolean>;
  'call.state': EventSpec<'state', CallState>;
  /** What the call app asks the shell's layout for (see CallPresentation). */
  'call.presentation': EventSpec<'state', CallPresentation>;
  'call.requested': EventSpec<'event', CallRequest>;
  'call.entry': EventSpec<'event', CallEntry>;
  'call.group-requested': EventSpec<'event', GroupCallRequest>;
  /** Someone pressed a call link's Join (a scheduled call's card): the call app joins it. */
  'call.link-opened': EventSpec<'event', CallLinkOpened>;
  /**
   * A call link the page was opened with (`/call#<secret>`), set by the shell before the call app
   * may be mounted; the call app joins it and sets it back to null.
   */
  'call.link-pending': EventSpec<'state', CallLinkOpened | null>;
  /**
   * Whether the loaded call app answers `call.links-requested` (it has call links to show): others
   * offer "Call links" only while it is true, so an older call app is never asked.
   */
  'call.links-available': EventSpec<'state', boolean>;
  /** Someone chose "Call links" outside the call app: the call app shows them (see CallLinksRequest). */
  'call.links-requested': EventSpec<'event', CallLinksRequest>;
  /** Someone asked to see a conversation outside the chat (a notification's click): the chat opens it. */
  'chat.conversation-requested': EventSpec<'event', ConversationRequest>;
  'content.text': EventSpec<'event', Delivered<TextContent>>;
  'content.receipt': EventSpec<'event', Delivered<ReceiptContent>>;
  'content.call-signaling': EventSpec<'event', Delivered<CallSignalingContent>>;
  'content.group-key': EventSpec<'event', Delivered<GroupKeyContent>>;
  'content.group-update': EventSpec<'event', Delivered<GroupUpdateContent>>;
  'content.sender-key': EventSpec<'event', Delivered<SenderKeyContent>>;
  /** A scheduled call (new, edited or cancelled), already kept by the messenger: for whoever wants to react. */
  'content.scheduled-call': EventSpec<'event', Delivered<ScheduledCallContent>>;
  /** Another device of this user reported calls (the messenger keeps them; see call-history-sync.ts). */
  'content.call-history': EventSpec<'event', Delivered<CallHistorySyncContent>>;
  /** Recent history from another device of the account; kept by the messenger, which publishes nothing of it. */
  'content.history-transfer': EventSpec<'event', Delivered<HistoryTransferContent>>;
  /** A reaction, edit or deletion the messenger applied to the history (the chat reads it there). */
  'content.reaction': EventSpec<'event', Delivered<ReactionContent>>;
  'content.edit': EventSpec<'event', Delivered<EditContent>>;
  'content.delete': EventSpec<'event', Delivered<DeleteContent>>;
  /** Not published today: the messenger keeps typing indicators (Messenger.typing$). */
  'content.typing': EventSpec<'event', Delivered<TypingContent>>;
}

export type BusEventType = keyof BusEventMap;
export type PayloadOf<K extends BusEventType> = BusEventMap[K]['payload'];
export type StateType = { [K in BusEventType]: BusEventMap[K]['kind'] extends 'state' ? K : never }[BusEventType];
export type MomentType = Exclude<BusEventType, StateType>;

/**
 * Contract version of each event's payload, and for states the value before anyone published.
 * A subscriber compares the version it was built for with the one it receives.
 */
export const BUS_EVENTS: { readonly [K in BusEventType]: { readonly version: number; readonly kind: BusEventMap[K]['kind'] } } = {
  'session.current': { version: 1, kind: 'state' },
  'relay.status': { version: 1, kind: 'state' },
  'call.available': { version: 1, kind: 'state' },
  'call.state': { version: 1, kind: 'state' },
  'call.presentation': { version: 1, kind: 'state' },
  'call.requested': { version: 1, kind: 'event' },
  'call.entry': { version: 1, kind: 'event' },
  'call.group-requested': { version: 1, kind: 'event' },
  'call.link-opened': { version: 1, kind: 'event' },
  'call.link-pending': { version: 1, kind: 'state' },
  'call.links-available': { version: 1, kind: 'state' },
  'call.links-requested': { version: 1, kind: 'event' },
  'chat.conversation-requested': { version: 1, kind: 'event' },
  'content.text': { version: 1, kind: 'event' },
  'content.receipt': { version: 1, kind: 'event' },
  'content.call-signaling': { version: 1, kind: 'event' },
  'content.group-key': { version: 1, kind: 'event' },
  'content.group-update': { version: 1, kind: 'event' },
  'content.sender-key': { version: 1, kind: 'event' },
  'content.scheduled-call': { version: 1, kind: 'event' },
  'content.call-history': { version: 1, kind: 'event' },
  'content.history-transfer': { version: 1, kind: 'event' },
  'content.reaction': { version: 1, kind: 'event' },
  'content.edit': { version: 1, kind: 'event' },
  'content.delete': { version: 1, kind: 'event' },
  'content.typing': { version: 1, kind: 'event' },
};

/** Initial values of the states, so a Behavior always has a value. */
export const INITIAL_STATES: { readonly [K in StateType]: PayloadOf<K> } = {
  'session.current': null,
  'relay.status': 'closed',
  'call.available': false,
  'call.state': IDLE_CALL_STATE,
  'call.presentation': NO_CALL_PRESENTATION,
  'call.link-pending': null,
  'call.links-available': false,
};

/** One event as it travels on the bus. */
export interface BusEvent<K extends BusEventType = BusEventType> {
  readonly type: K;
  readonly version: number;
  readonly payload: PayloadOf<K>;
}
