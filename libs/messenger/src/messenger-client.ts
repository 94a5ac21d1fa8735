import { utf8 } from '@parley/bytes';
import { type Clock, systemClock, type WallClock } from '@parley/clock';
import { type CallEntry, type Content, ContentSchema, type DeliverFrame, type HistoryTransferContent, type TextContent } from '@parley/contracts';
import type { SignalProtocolStore } from '@parley/signal-protocol';
import type { ControlFrame } from '@parley/signaling';
import { from, merge, type Observable, of, shareReplay, Subject, switchMap, filter } from 'rxjs';
import type { PreKeyCounts } from './account-setup.js';
import type { ParleyApiClient } from './api-client.js';
import { CallHistory, type CallHistoryApi } from './call-history.js';
import { ContactDirectory } from './contact-directory.js';
import { ConversationChanges } from './conversation-changes.js';
import { contactSummary, listConversations } from './conversation-list.js';
import { ConversationLog } from './conversation-log.js';
import { PairwiseFanOut, type RelaySend } from './device-fan-out.js';
import { DeviceLinker, type LinkRequestOutcome } from './device-link.js';
import { asMessengerCall, inBackground, MessengerError, toMessengerError } from './errors.js';
import { GroupChats } from './group-chats.js';
import { exportHistorySince, importHistoryPart, monthsBefore, partBudgetFor, partsOf } from './history-transfer.js';
import { type GroupStore, InMemoryGroupStore } from './group-store.js';
import type { HistoryStore } from './history-store.js';
import { IdentityQuarantine } from './identity-quarantine.js';
import { type MessageActionApi, MessageActions } from './message-actions.js';
import { type EarlyContent, MessageReceiver, type ReceiveRoutes, SELF_COPY_SUFFIX } from './message-receiver.js';
import type { AttachmentTransfer } from './attachment-transfer.js';
import type { ContactNotice, ConversationSummary, GroupInfo, HistoryMessage, Messenger, MessengerFailure, SendTextOptions } from './messenger-api.js';
import { PreKeyMaintenance } from './prekey-maintenance.js';
import type { ScheduledCallApi, ScheduledCalls } from './scheduled-calls.js';
import { SessionStarter } from './session-starter.js';
import { ConversationTyping } from './typing/conversation-typing.js';
import { MessageSearch } from './search/message-search.js';
import type { MessengerSelf } from './signal-sessions.js';

/** What the session assembly (the shell, a test device) hands the messenger. */
export interface MessengerClientOptions {
  readonly self: MessengerSelf;
  /** Authenticated with this device's token. */
  readonly api: ParleyApiClient;
  /** The device's one Signal store. */
  readonly store: SignalProtocolStore;
  readonly history: HistoryStore;
  /** The page's relay connection (only `send` is used; decryption comes in through {@link MessengerClient.decrypt}). */
  readonly relay: RelaySend;
  /** Where group chats are kept on this device; in memory by default. */
  readonly groups?: GroupStore;
  /**
   * Scheduled calls, built by the session assembly over this messenger's `sendContent`: delivered
   * `scheduled-call` content is kept through them. Without them it goes on the bus as it is.
   */
  readonly scheduledCalls?: ScheduledCalls;
  /** The time; injectable for tests. */
  readonly clock?: WallClock;
  /** Timers (typing indicators); `clock` when it has them, else the system's. */
  readonly timers?: Clock;
  /** New client message ids; random UUIDs by default. */
  readonly newMessageId?: () => string;
  /** New group ids and sender key distribution ids; random UUIDs by default. */
  readonly newId?: () => string;
  /** One-time prekey counts to top up to on `prekeys-low`. */
  readonly preKeyTarget?: PreKeyCounts;
  /** Attachment uploads and downloads over this server's blob API; none offered when absent. */
  readonly attachments?: AttachmentTransfer;
}

/**
 * The page's {@link Messenger}: a thin facade over the units that do the work — the contact
 * directory, pairwise fan-out, the message receiver, group chats and prekey maintenance. The shell
 * creates one with {@link MessengerClient.open}, wires {@link decrypt} and
 * {@link handleControlFrame} into its RelayClient, and provides it with `provideMessenger`.
 */
export class MessengerClient implements Messenger {
  readonly self: MessengerSelf;
  readonly conversations$: Observable<readonly ConversationSummary[]>;
  readonly notices$: Observable<readonly ContactNotice[]>;
  /** Failures nobody awaits: receipts, self copies, group state, prekey uploads, refused link requests. */
  readonly failures$: Observable<MessengerFailure>;
  /** The existing device's side of device linking. */
  readonly linker: DeviceLinker;
  /** Calls planned ahead, when the session assembly gave them. */
  readonly scheduledCalls?: () => ScheduledCallApi;
  /** Attachment uploads and downloads, when the session assembly gave them. */
  readonly attachments?: () => AttachmentTransfer;
  /** RelayClient's `decrypt`: see {@link MessageReceiver.decrypt}. */
  readonly decrypt: (frame: Parameters<MessageReceiver['decrypt']>[0], early?: EarlyContent) => Promise<Content | null>;

  private readonly failures = new Subject<MessengerFailure>();
  private readonly changes = new ConversationChanges();
  private readonly directory: ContactDirectory;
  private readonly log: ConversationLog;
  private readonly fanOut: PairwiseFanOut;
  private readonly receiver: MessageReceiver;
  private readonly calls: CallHistory;
  private readonly groupChats: GroupChats;
  private readonly groups: GroupStore;
  private readonly actions: MessageActions;
  private readonly prekeys: PreKeyMaintenance;
  private readonly clock: WallClock;
  private readonly newMessageId: () => string;
  private readonly history: HistoryStore;
  private readonly typing: ConversationTyping;
  private readonly search: MessageSearch;

  private constructor(options: MessengerClientOptions) {
    const { self, api, store, history, relay } = options;
    const clock = options.clock ?? systemClock;
    const changes = this.changes;
    const onFailure = (failure: MessengerFailure) => this.failures.next(failure);
    this.self = self;
    this.clock = clock;
    this.history = history;
    this.newMessageId = options.newMessageId ?? (() => crypto.randomUUID());
    this.groups = options.groups ?? new InMemoryGroupStore();
    this.failures$ = this.failures.asObservable();
    this.directory = new ContactDirectory({ self, api, store, history, changes, clock });
    const directory = this.directory;
    this.log = new ConversationLog(history, self, changes, clock);
    this.calls = new CallHistory({
      history,
      selfUserId: self.userId,
      tellOwnDevices: (content) => this.fanOut.sendContent(self.userId, content),
      onFailure,
    });
    const sessions = new SessionStarter({ self, api, store, directory, clock });
    this.fanOut = new PairwiseFanOut({ self, store, relay, directory, sessions, clock, newMessageId: this.newMessageId });
    this.groupChats = new GroupChats({
      self,
      api,
      store,
      history,
      groups: this.groups,
      relay,
      directory,
      log: this.log,
      changes,
      sendContent: (toUserId, content) => this.fanOut.sendContent(toUserId, content),
      clock,
      newMessageId: this.newMessageId,
      newId: options.newId ?? (() => crypto.randomUUID()),
      onFailure,
    });
    this.actions = new MessageActions({
      self,
      log: this.log,
      groups: this.groups,
      changes,
      sendContent: (toUserId, content) => this.fanOut.sendContent(toUserId, content),
      sendText: (conversationId, body, quote) => this.sendText(conversationId, body, { quote }),
      clock,
      onFailure,
    });
    const timers = options.timers ?? ('setTimeout' in clock ? (clock as Clock) : systemClock);
    const fanOut = this.fanOut;
    this.typing = new ConversationTyping({ self, clock: timers, groups: this.groups, directory, sendContent: (toUserId, content) => fanOut.sendContent(toUserId, content), onFailure });
    this.search = new MessageSearch({
      history,
      conversationIds: async () => [...(await directory.others()).map((contact) => contact.userId), ...(await this.groups.listGroups()).map((group) => group.groupId)],
      changes$: changes.all$,
    });
    const schedules = options.scheduledCalls;
    const routes: ReceiveRoutes = {
      senderKeyMessage: this.groupChats.receiveMessage,
      content: {
        'group-update': this.groupChats.receiveUpdate,
        'sender-key': this.groupChats.receiveSenderKey,
        // Kept here, before the relay acks it; nothing for the bus (the chat reads the history).
        'call-history': async (frame, content) => {
          await this.calls.receive(frame.from, content);
          return null;
        },
        reaction: this.actions.receive,
        edit: this.actions.receive,
        delete: this.actions.receive,
        typing: this.typing.receive,
        // Kept before the relay acks it; on the bus only when it was news.
        'history-transfer': (frame, content) => this.receiveHistoryPart(frame, content),
        ...(schedules ? { 'scheduled-call': async (frame, content) => ((await schedules.receive(frame.from, content)) === null ? null : content) } : {}),
      },
    };
    if (schedules) this.scheduledCalls = () => schedules;
    const transfer = options.attachments;
    if (transfer) this.attachments = () => transfer;
    const quarantine = new IdentityQuarantine(history, directory, clock);
    this.receiver = new MessageReceiver({ self, store, history, directory, quarantine, log: this.log, changes, fanOut: this.fanOut, clock, newMessageId: this.newMessageId, onFailure, routes });
    this.decrypt = this.receiver.decrypt;
    this.prekeys = new PreKeyMaintenance({ api, store, clock, ...(options.preKeyTarget ? { target: options.preKeyTarget } : {}) });
    this.linker = new DeviceLinker({ api, store, account: self, now: () => clock.now(), onProvisioned: () => directory.forgetOwnDevicesCheck() });
    const reloads = merge(of(null), changes.all$);
    this.conversations$ = reloads.pipe(
      switchMap(() => from(this.loadConversations())),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.notices$ = reloads.pipe(
      filter((id) => id === null),
      switchMap(() => from(directory.notices())),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  /**
   * A messenger for this device: makes sure this account's own contact record exists, and asks the
   * server for its other devices in the background (copies to them wait for the answer).
   */
  static async open(options: MessengerClientOptions): Promise<MessengerClient> {
    const messenger = new MessengerClient(options);
    await messenger.directory.ensureOwnRecord();
    messenger.directory.refreshOwnDevicesInBackground();
    return messenger;
  }

  // ── the Messenger interface ─────────────────────────────────────────────────────────────────

  async findUser(handle: string): Promise<ConversationSummary> {
    return contactSummary(this.history, await this.directory.findUser(handle));
  }

  history$(conversationId: string): Observable<readonly HistoryMessage[]> {
    return this.changes.of$(conversationId).pipe(switchMap(() => from(this.log.messages(conversationId))));
  }

  /**
   * A group text, or a 1:1 text: stored as `sending`, sent to the peer's devices (then `sent`) and
   * a copy to this account's other devices. Rejects with a MessengerError (the message is then `failed`).
   * `options`: attachments, and `quote` for a reply (see messageActions).
   */
  async sendText(conversationId: string, body: string, options: SendTextOptions = {}): Promise<HistoryMessage> {
    const extras = { ...(options.attachments ? { attachments: [...options.attachments] } : {}), ...(options.quote ? { quote: options.quote } : {}) };
    if (await this.isGroup(conversationId)) return this.groupChats.sendGroupText(conversationId, body, extras);
    const messageId = this.newMessageId();
    const content: TextContent = { type: 'text', conversationId, body, sentAt: this.clock.now(), ...extras };
    if (!ContentSchema.safeParse(content).success) throw new MessengerError('invalid', 'the text is empty or too long');
    const contact = await this.directory.known(conversationId);
    if (contact === undefined || conversationId === this.self.userId) throw new MessengerError('user-not-found', 'no conversation with this id');
    const message = await this.log.addOutgoing(messageId, content);
    const plaintext = utf8(JSON.stringify(content));
    try {
      await this.fanOut.send(conversationId, messageId, plaintext);
    } catch (error) {
      await this.log.setDelivery(messageId, 'failed');
      throw toMessengerError(error);
    }
    const sent = await this.log.setDelivery(messageId, 'sent');
    inBackground(this.fanOut.send(this.self.userId, messageId + SELF_COPY_SUFFIX, plaintext), (failure) => this.failures.next(failure));
    return sent ?? message;
  }

  async markRead(conversationId: string, messageIds: readonly string[]): Promise<void> {
    if (await this.isGroup(conversationId)) return this.groupChats.markRead(conversationId, messageIds);
    return this.receiver.markRead(conversationId, messageIds);
  }

  safetyNumber(userId: string): Promise<string> {
    return this.directory.safetyNumber(userId);
  }

  async acceptIdentity(userId: string): Promise<void> {
    if (await this.directory.acceptIdentity(userId)) await this.receiver.releaseHeld(userId);
  }

  sendContent(toUserId: string, content: Exclude<Content, TextContent>): Promise<void> {
    return this.fanOut.sendContent(toUserId, content);
  }

  callEntries(): Promise<readonly CallEntry[]> {
    return this.calls.entries();
  }

  keepCallEntry(entry: CallEntry): Promise<void> {
    return this.calls.keep(entry);
  }

  callHistory(): CallHistoryApi {
    return this.calls;
  }

  typingChanged(conversationId: string, draft: string): void {
    this.typing.draftChanged(conversationId, draft);
  }

  typing$(conversationId: string): Observable<readonly string[]> {
    return this.typing.typing$(conversationId);
  }

  searchMessages(query: string, limit?: number): Promise<readonly HistoryMessage[]> {
    return this.search.search(query, limit);
  }

  createGroup(name: string, handles: readonly string[]): Promise<ConversationSummary> {
    return this.groupChats.createGroup(name, handles);
  }

  addMembers(groupId: string, handles: readonly string[]): Promise<void> {
    return this.groupChats.addMembers(groupId, handles);
  }

  removeMember(groupId: string, userId: string): Promise<void> {
    return this.groupChats.removeMember(groupId, userId);
  }

  sendGroupText(groupId: string, body: string): Promise<HistoryMessage> {
    return this.groupChats.sendGroupText(groupId, body);
  }

  /** One group as the UI shows it, or undefined for an id that is not a group. */
  group(groupId: string): Promise<GroupInfo | undefined> {
    return this.groupChats.group(groupId);
  }

  messageActions(): MessageActionApi {
    return this.actions;
  }

  // ── wiring for the session assembly ─────────────────────────────────────────────────────────

  /** RelayClient's `onControlFrame`: tops prekeys up on `prekeys-low`, answers `link-request`. */
  readonly handleControlFrame = async (frame: ControlFrame): Promise<void> => {
    if (frame.t === 'prekeys-low') {
      await this.prekeys.topUp({ oneTimePreKeys: frame.oneTimePreKeys, kyberOneTimePreKeys: frame.kyberOneTimePreKeys });
      return;
    }
    const outcome: LinkRequestOutcome = await this.linker.handleLinkRequest(frame);
    // 'unknown-link': a code another device of this account made; not ours to answer.
    if (outcome === 'bad-mac' || outcome === 'expired') {
      this.failures.next(new MessengerError('invalid', `a link request was refused: ${outcome}`));
    }
  };

  /** A one-time link code for a new device (`<linkId>-<secret>`), see DeviceLinker. */
  createLinkCode(): Promise<{ readonly code: string; readonly expiresAt: number }> {
    return asMessengerCall(() => this.linker.createCode());
  }

  /**
   * Sends the last `months` months of this device's 1:1 history to a device of this account that
   * was just linked, in parts over the pairwise Signal sessions (history-transfer.ts). Resolves
   * with how many messages went, once every part was accepted by the server.
   */
  async sendRecentHistory(toDeviceId: number, months: number): Promise<{ readonly messages: number; readonly parts: number }> {
    if (months <= 0) return { messages: 0, parts: 0 };
    const exported = await exportHistorySince(this.history, this.self, monthsBefore(this.clock.now(), months));
    if (exported.messages.length === 0) return { messages: 0, parts: 0 };
    // The new device may be unknown to this one still: ask the server which devices get copies.
    this.directory.forgetOwnDevicesCheck();
    await this.directory.refreshOwnDevices().catch(() => {});
    const copies = (await this.directory.knownDevices(this.self.userId)).length;
    const parts = partsOf(exported, this.newMessageId(), toDeviceId, partBudgetFor(copies));
    for (const part of parts) await this.fanOut.sendContent(this.self.userId, part);
    return { messages: exported.messages.length, parts: parts.length };
  }

  /** Ends the streams (on sign-out). */
  close(): void {
    this.typing.close();
    this.search.close();
    this.changes.close();
    this.failures.complete();
  }

  /** A part of the history another device of this account sends right after linking this one: kept, never on the bus. */
  private async receiveHistoryPart(frame: DeliverFrame, part: HistoryTransferContent): Promise<null> {
    const outcome = await importHistoryPart(this.history, this.self, frame.from, part, this.clock.now());
    if ('refused' in outcome) {
      // Every device of the account gets each part; only the new one keeps it.
      if (outcome.refused !== 'not-for-this-device') this.failures.next(new MessengerError('invalid', `a history part was refused: ${outcome.refused}`));
      return null;
    }
    if (outcome.changed.length > 0) this.changes.changed(null);
    for (const conversationId of outcome.changed) this.changes.changed(conversationId);
    return null;
  }

  private async isGroup(conversationId: string): Promise<boolean> {
    return (await this.groups.getGroup(conversationId)) !== undefined;
  }



  private loadConversations(): Promise<readonly ConversationSummary[]> {
    return listConversations(this.history, this.groups, this.self.userId);
  }
}
