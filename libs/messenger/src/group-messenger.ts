import {
  type Content,
  ContentSchema,
  type DeliverFrame,
  type GroupUpdateContent,
  type SendFrame,
  type SenderKeyContent,
  type TextContent,
  TextContentSchema,
  type TurnCredentials,
} from '@parley/contracts';
import {
  createSenderKeyDistributionMessage,
  groupDecrypt,
  groupEncrypt,
  isSignalProtocolError,
  processSenderKeyDistributionMessage,
  type ProtocolAddress,
  type SignalProtocolStore,
} from '@parley/signal-protocol';
import { type RelayConnection, RelayError } from '@parley/signaling';
import { combineLatest, filter, from, merge, type Observable, of, shareReplay, Subject, switchMap } from 'rxjs';
import type { ParleyApiClient } from './api-client.js';
import { fromBase64, fromUtf8, toBase64, utf8 } from './base64.js';
import { MessengerError, queueFull } from './errors.js';
import type { GroupRecord, GroupStore } from './group-store.js';
import { InMemoryGroupStore } from './group-store.js';
import type { HistoryStore } from './history-store.js';
import { KeyedQueue } from './keyed-queue.js';
import type { CallLinkApi, ContactNotice, ConversationSummary, GroupInfo, GroupMember, HistoryMessage, Messenger, MessengerFailure } from './messenger-api.js';
import { type EarlyContent, MAX_DEVICE_ROUNDS, type MessengerClient, type MessengerSelf } from './messenger-client.js';
import { InMemoryScheduledCallStore, type ScheduledCallApi, ScheduledCalls, type ScheduledCallStore } from './scheduled-calls.js';

/** libsignal's CiphertextMessageType of a SenderKeyMessage. */
export const SENDER_KEY_MESSAGE_TYPE = 7;
/**
 * A group text goes out as one `send` per member user (the server checks device lists per user);
 * each `send` id is the message id, this separator and the recipient's index. Receivers strip it.
 */
export const GROUP_FRAME_SEPARATOR = '~';
/** Group messages held until their sender's key or the group's state arrives. */
export const MAX_HELD_GROUP_MESSAGES = 500;
/**
 * How far ahead of this device's clock a group update may be dated. Updates apply in date order
 * (an older one is ignored), so one dated years ahead would pin the group's state: every honest
 * update after it would count as older. Clocks differ by minutes, not days.
 */
export const MAX_GROUP_UPDATE_AHEAD_MS = 24 * 60 * 60_000;

/** What the group messenger needs besides the 1:1 messenger it extends. */
export interface GroupMessengerOptions {
  /** The 1:1 messenger: pairwise sessions carry group state and sender keys. */
  readonly client: MessengerClient;
  readonly self: MessengerSelf;
  readonly api: ParleyApiClient;
  /** The same Signal store the client uses (sender keys live there). */
  readonly store: SignalProtocolStore;
  /** The same history store the client uses. */
  readonly history: HistoryStore;
  readonly relay: Pick<RelayConnection, 'send'>;
  readonly groups?: GroupStore;
  /** Where scheduled calls are kept on this device. */
  readonly scheduledCalls?: ScheduledCallStore;
  readonly now?: () => number;
  readonly newMessageId?: () => string;
  /** New group ids and sender key distribution ids; random UUIDs by default. */
  readonly newId?: () => string;
}

const deviceKey = (userId: string, deviceId: number) => `${userId}.${deviceId}`;

/**
 * Group chats over the 1:1 messenger, as Signal does them: the group (id, name, members) lives on
 * the clients and travels as `group-update` content over the pairwise sessions; each device's
 * sender key goes to every member device as `sender-key` content over the pairwise sessions,
 * lazily before its first group text to them; a group text is encrypted once (groupEncrypt) and
 * the same SenderKeyMessage (type 7) goes to every member device, one relay `send` per member.
 * After a removal every remaining device uses a new distribution id (a fresh sender key the
 * removed member never gets); an added member gets the current key, so only later texts.
 *
 * It is the page's {@link Messenger}: everything else is the client's. Wire {@link decrypt}
 * (not the client's) into the relay client.
 */
export class GroupMessenger implements Messenger {
  readonly self: MessengerSelf;
  readonly conversations$: Observable<readonly ConversationSummary[]>;
  readonly notices$: Observable<readonly ContactNotice[]>;
  /** Failures nobody awaits (background sends of group state). */
  readonly failures$: Observable<MessengerFailure>;

  private readonly client: MessengerClient;
  private readonly api: ParleyApiClient;
  private readonly store: SignalProtocolStore;
  private readonly history: HistoryStore;
  private readonly relay: Pick<RelayConnection, 'send'>;
  private readonly groups: GroupStore;
  private readonly now: () => number;
  private readonly newMessageId: () => string;
  private readonly newId: () => string;
  private readonly failures = new Subject<MessengerFailure>();
  /** Group ids whose history or state changed; `null` for the list. */
  private readonly changed = new Subject<string | null>();
  private readonly groupQueue = new KeyedQueue();
  private held: DeliverFrame[] = [];
  private readonly schedules: ScheduledCalls;

  constructor(options: GroupMessengerOptions) {
    this.client = options.client;
    this.self = options.self;
    this.api = options.api;
    this.store = options.store;
    this.history = options.history;
    this.relay = options.relay;
    this.groups = options.groups ?? new InMemoryGroupStore();
    this.now = options.now ?? Date.now;
    this.newMessageId = options.newMessageId ?? (() => crypto.randomUUID());
    this.newId = options.newId ?? (() => crypto.randomUUID());
    this.notices$ = this.client.notices$;
    this.failures$ = merge(this.client.failures$, this.failures);
    this.schedules = new ScheduledCalls({
      self: this.self,
      store: options.scheduledCalls ?? new InMemoryScheduledCallStore(),
      sendContent: (toUserId, content) => this.client.sendContent(toUserId, content),
      groupMembers: async (conversationId) => (await this.groups.getGroup(conversationId))?.members.map((m) => m.userId),
      callLinks: () => this.client.callLinks(),
      onFailure: (failure) => this.failures.next(failure),
      now: this.now,
      newId: this.newId,
    });
    const groupSummaries$ = merge(of(null), this.changed).pipe(switchMap(() => from(this.loadGroupSummaries())));
    this.conversations$ = combineLatest([this.client.conversations$, groupSummaries$]).pipe(
      switchMap(([direct, groups]) => {
        const latest = (summary: ConversationSummary) => summary.lastMessage?.storedAt ?? -1;
        return of([...direct, ...groups].sort((a, b) => latest(b) - latest(a)));
      }),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  // ── the 1:1 messenger, unchanged ────────────────────────────────────────────────────────────

  findUser(handle: string): Promise<ConversationSummary> {
    return this.client.findUser(handle);
  }

  history$(conversationId: string): Observable<readonly HistoryMessage[]> {
    return from(this.groups.getGroup(conversationId)).pipe(
      switchMap((group) =>
        group === undefined
          ? this.client.history$(conversationId)
          : merge(of(conversationId), this.changed.pipe(filter((id) => id === conversationId))).pipe(
              switchMap(() => from(this.history.listMessages(conversationId))),
            ),
      ),
    );
  }

  async sendText(conversationId: string, body: string): Promise<HistoryMessage> {
    if ((await this.groups.getGroup(conversationId)) !== undefined) return this.sendGroupText(conversationId, body);
    return this.client.sendText(conversationId, body);
  }

  async markRead(conversationId: string, messageIds: readonly string[]): Promise<void> {
    if ((await this.groups.getGroup(conversationId)) === undefined) return this.client.markRead(conversationId, messageIds);
    // Group texts: read here; no read receipts in groups yet.
    const wanted = new Set(messageIds);
    let changed = false;
    for (const message of await this.history.listMessages(conversationId)) {
      if (!wanted.has(message.messageId) || message.direction !== 'in' || message.read === true) continue;
      await this.history.putMessage({ ...message, read: true });
      changed = true;
    }
    if (changed) this.changed.next(conversationId);
  }

  safetyNumber(userId: string): Promise<string> {
    return this.client.safetyNumber(userId);
  }

  acceptIdentity(userId: string): Promise<void> {
    return this.client.acceptIdentity(userId);
  }

  sendContent(toUserId: string, content: Exclude<Content, TextContent>): Promise<void> {
    return this.client.sendContent(toUserId, content);
  }

  turnCredentials(): Promise<TurnCredentials> {
    return this.client.turnCredentials();
  }

  callLinks(): CallLinkApi {
    return this.client.callLinks();
  }

  scheduledCalls(): ScheduledCallApi {
    return this.schedules;
  }

  // ── groups ──────────────────────────────────────────────────────────────────────────────────

  async createGroup(name: string, handles: readonly string[]): Promise<ConversationSummary> {
    const trimmed = name.trim();
    const others = await this.lookUp(handles);
    const group: GroupRecord = {
      groupId: `g.${this.newId()}`,
      name: trimmed,
      members: [this.selfMember(), ...others],
      active: true,
      updatedAt: this.now(),
      distributionId: this.newId(),
      distributedTo: [],
    };
    this.checkUpdate(group);
    await this.groups.putGroup(group);
    this.changed.next(null);
    await this.announce(group, []);
    return this.summaryOf(group);
  }

  async addMembers(groupId: string, handles: readonly string[]): Promise<void> {
    const added = await this.lookUp(handles);
    const group = await this.groupQueue.run(groupId, async () => {
      const known = await this.activeGroup(groupId);
      const fresh = added.filter((member) => !known.members.some((m) => m.userId === member.userId));
      // The current sender key goes to the newcomers with the next text: from its current iteration on.
      const next: GroupRecord = { ...known, members: [...known.members, ...fresh], updatedAt: Math.max(this.now(), known.updatedAt + 1) };
      this.checkUpdate(next);
      await this.groups.putGroup(next);
      return next;
    });
    this.changed.next(null);
    this.changed.next(groupId);
    await this.announce(group, []);
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    const { group, removed } = await this.groupQueue.run(groupId, async () => {
      const known = await this.activeGroup(groupId);
      const removed = known.members.find((m) => m.userId === userId);
      if (removed === undefined) throw new MessengerError('invalid', 'not a member of this group');
      const next: GroupRecord = {
        ...known,
        members: known.members.filter((m) => m.userId !== userId),
        active: userId !== this.self.userId,
        updatedAt: Math.max(this.now(), known.updatedAt + 1),
        // A fresh sender key the removed member never gets.
        distributionId: this.newId(),
        distributedTo: [],
      };
      await this.groups.putGroup(next);
      return { group: next, removed };
    });
    this.changed.next(null);
    this.changed.next(groupId);
    // The removed member hears it too, so their app shows the group as left.
    await this.announce(group, [removed.userId]);
  }

  async sendGroupText(groupId: string, body: string): Promise<HistoryMessage> {
    const content: TextContent = { type: 'text', conversationId: groupId, body, sentAt: this.now() };
    if (!TextContentSchema.safeParse(content).success) throw new MessengerError('invalid', 'the text is empty or too long');
    await this.activeGroup(groupId);
    const messageId = this.newMessageId();
    const message: HistoryMessage = {
      messageId,
      conversationId: groupId,
      direction: 'out',
      from: { userId: this.self.userId, deviceId: this.self.deviceId },
      body,
      sentAt: content.sentAt,
      storedAt: this.now(),
      delivery: 'sending',
    };
    await this.history.putMessage(message);
    this.changed.next(groupId);
    try {
      await this.groupQueue.run(groupId, async () => {
        const group = await this.activeGroup(groupId);
        const recipients = [...group.members.map((m) => m.userId).filter((id) => id !== this.self.userId), this.self.userId];
        let current = group;
        for (const userId of recipients) current = await this.distribute(current, userId);
        // Encrypted once: the same bytes go to every member device.
        const encrypted = await groupEncrypt(this.store, this.selfAddress(), current.distributionId, utf8(JSON.stringify(content)));
        const ciphertext = toBase64(encrypted.serialized);
        for (const [index, userId] of recipients.entries()) {
          current = await this.sendToMember(current, userId, `${messageId}${GROUP_FRAME_SEPARATOR}${index}`, ciphertext);
        }
      });
    } catch (error) {
      const failed: HistoryMessage = { ...message, delivery: 'failed' };
      await this.history.putMessage(failed);
      this.changed.next(groupId);
      throw error instanceof MessengerError ? error : new MessengerError('network', error instanceof Error ? error.message : String(error), { cause: error });
    }
    const sent: HistoryMessage = { ...message, delivery: 'sent' };
    await this.history.putMessage(sent);
    this.changed.next(groupId);
    return sent;
  }

  /** One group as the UI shows it, or undefined for an id that is not a group. */
  async group(groupId: string): Promise<GroupInfo | undefined> {
    const group = await this.groups.getGroup(groupId);
    return group === undefined ? undefined : infoOf(group);
  }

  // ── wiring for the shell ────────────────────────────────────────────────────────────────────

  /**
   * RelayClient's `decrypt`: group messages (type 7) are sender-key decrypted here, everything
   * else by the client; `group-update` and `sender-key` content is handled here. Sender keys never
   * go on the bus (`null`); group texts are in the history (`null`, like a handled duplicate).
   */
  readonly decrypt = async (frame: DeliverFrame, early?: EarlyContent): Promise<Content | null> => {
    if (frame.type === SENDER_KEY_MESSAGE_TYPE) {
      await this.receiveGroupMessage(frame);
      return null;
    }
    const content = await this.client.decrypt(frame, early);
    if (content?.type === 'group-update') {
      await this.receiveUpdate(frame, content);
      await this.retryHeld();
      return content;
    }
    if (content?.type === 'scheduled-call') {
      // Kept before the relay acks it; on the bus only when it was news.
      return (await this.schedules.receive(frame.from, content)) === null ? null : content;
    }
    if (content?.type === 'sender-key') {
      await processSenderKeyDistributionMessage(this.store, { name: frame.from.userId, deviceId: frame.from.deviceId }, fromBase64(content.distribution));
      await this.retryHeld();
      return null;
    }
    return content;
  };

  close(): void {
    this.schedules.close();
    this.changed.complete();
    this.failures.complete();
  }

  // ── receiving ───────────────────────────────────────────────────────────────────────────────

  /** Decrypts and stores a group text; holds it when its sender key or its group is not here yet. */
  private async receiveGroupMessage(frame: DeliverFrame): Promise<'stored' | 'held' | 'dropped'> {
    const sender: ProtocolAddress = { name: frame.from.userId, deviceId: frame.from.deviceId };
    let plaintext: Uint8Array;
    try {
      plaintext = await groupDecrypt(this.store, sender, fromBase64(frame.ciphertext));
    } catch (error) {
      if (isSignalProtocolError(error, 'no-sender-key-state')) return this.hold(frame);
      // Already decrypted (a redelivery), or from before this device got the key (a newcomer).
      if (isSignalProtocolError(error, 'duplicate-message')) return 'dropped';
      throw error;
    }
    return this.receiveDecrypted(frame, plaintext);
  }

  /** Plaintext of a held frame already decrypted (its chain moved on): kept with it. */
  private readonly heldPlaintext = new WeakMap<DeliverFrame, Uint8Array>();

  private hold(frame: DeliverFrame, plaintext?: Uint8Array): 'held' {
    if (plaintext !== undefined) this.heldPlaintext.set(frame, plaintext);
    this.held.push(frame);
    if (this.held.length > MAX_HELD_GROUP_MESSAGES) this.held.shift();
    return 'held';
  }

  private async retryHeld(): Promise<void> {
    const held = this.held;
    this.held = [];
    for (const frame of held) {
      const plaintext = this.heldPlaintext.get(frame);
      try {
        if (plaintext === undefined) await this.receiveGroupMessage(frame);
        else await this.receiveDecrypted(frame, plaintext);
      } catch (error) {
        this.failures.next(toFailure(error));
      }
    }
  }

  /** Stores a decrypted group text once per (sender, message id); holds it while its group is unknown here. */
  private async receiveDecrypted(frame: DeliverFrame, plaintext: Uint8Array): Promise<'stored' | 'held' | 'dropped'> {
    let content: TextContent;
    try {
      content = TextContentSchema.parse(JSON.parse(fromUtf8(plaintext)));
    } catch {
      throw new MessengerError('invalid', 'a group message decrypted to something that is not a text');
    }
    const group = await this.groups.getGroup(content.conversationId);
    // The group's state may still be on its way (it travels on another session).
    if (group === undefined) return this.hold(frame, plaintext);
    const isSelf = frame.from.userId === this.self.userId;
    if (!isSelf && !group.members.some((m) => m.userId === frame.from.userId)) return 'dropped';
    const messageId = (frame.messageId ?? frame.id).split(GROUP_FRAME_SEPARATOR)[0]!;
    if ((await this.history.getMessage(frame.from.userId, messageId)) !== undefined) return 'dropped';
    await this.history.putMessage({
      messageId,
      conversationId: group.groupId,
      direction: isSelf ? 'out' : 'in',
      from: { userId: frame.from.userId, deviceId: frame.from.deviceId },
      body: content.body,
      sentAt: content.sentAt,
      storedAt: this.now(),
      ...(isSelf ? { delivery: 'sent' as const } : { read: false }),
    });
    this.changed.next(group.groupId);
    this.changed.next(null);
    return 'stored';
  }

  /** Applies a group's new state from a member (or from this account's other device). */
  private async receiveUpdate(frame: DeliverFrame, update: GroupUpdateContent): Promise<void> {
    const senderId = frame.from.userId;
    if (update.updatedAt > this.now() + MAX_GROUP_UPDATE_AHEAD_MS) {
      this.failures.next(new MessengerError('invalid', `a group update dated more than ${MAX_GROUP_UPDATE_AHEAD_MS / 3_600_000} h ahead of this device's clock was ignored`));
      return;
    }
    const members = await this.profiles(update.members);
    const applied = await this.groupQueue.run(update.groupId, async () => {
      const known = await this.groups.getGroup(update.groupId);
      if (known !== undefined) {
        if (update.updatedAt <= known.updatedAt) return false;
        // Only a member changes a group (Signal's first groups: any member may).
        if (senderId !== this.self.userId && !known.members.some((m) => m.userId === senderId)) return false;
      } else if (senderId !== this.self.userId && !update.members.includes(senderId)) {
        return false;
      }
      const removedSomeone = known !== undefined && known.members.some((m) => !update.members.includes(m.userId));
      const next: GroupRecord = {
        groupId: update.groupId,
        name: update.name,
        members,
        active: update.members.includes(this.self.userId),
        updatedAt: update.updatedAt,
        // Someone left: this device's next text uses a new sender key, for those who remain only.
        distributionId: known === undefined || removedSomeone ? this.newId() : known.distributionId,
        distributedTo: known === undefined || removedSomeone ? [] : known.distributedTo,
      };
      await this.groups.putGroup(next);
      return true;
    });
    if (!applied) return;
    this.changed.next(null);
    this.changed.next(update.groupId);
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────────

  /** Sends the group's state to every member's devices (and `extra` users), and to this account's other devices. */
  private async announce(group: GroupRecord, extra: readonly string[]): Promise<void> {
    const content: GroupUpdateContent = {
      type: 'group-update',
      groupId: group.groupId,
      name: group.name,
      members: group.members.map((m) => m.userId),
      updatedAt: group.updatedAt,
    };
    const to = [...group.members.map((m) => m.userId).filter((id) => id !== this.self.userId), ...extra];
    await Promise.all(to.map((userId) => this.client.sendContent(userId, content)));
    this.background(this.client.sendContent(this.self.userId, content));
  }

  /** Sends this device's current sender key to those of `userId`'s devices that do not have it. */
  private async distribute(group: GroupRecord, userId: string, force = false): Promise<GroupRecord> {
    const devices = await this.devicesOf(userId);
    const missing = devices.filter((deviceId) => force || !group.distributedTo.includes(deviceKey(userId, deviceId)));
    if (missing.length === 0 && !(userId !== this.self.userId && devices.length === 0)) return group;
    const skdm = await createSenderKeyDistributionMessage(this.store, this.selfAddress(), group.distributionId);
    const content: SenderKeyContent = { type: 'sender-key', groupId: group.groupId, distribution: toBase64(skdm.serialized) };
    await this.client.sendContent(userId, content);
    // The client fixed its device list while sending: those are the devices that have the key now.
    const now = await this.devicesOf(userId);
    const next: GroupRecord = { ...group, distributedTo: [...new Set([...group.distributedTo, ...now.map((id) => deviceKey(userId, id))])] };
    await this.groups.putGroup(next);
    return next;
  }

  /** One relay `send` of the group ciphertext to every device of one member; on `devices_changed` the new devices get the key first. */
  private async sendToMember(group: GroupRecord, userId: string, frameId: string, ciphertext: string): Promise<GroupRecord> {
    let current = group;
    for (let round = 0; round < MAX_DEVICE_ROUNDS; round++) {
      const devices = await this.devicesOf(userId);
      if (devices.length === 0) return current;
      const messages: SendFrame['messages'][number][] = devices.map((deviceId) => ({ deviceId, type: SENDER_KEY_MESSAGE_TYPE, ciphertext }));
      try {
        await this.relay.send({ t: 'send', id: frameId, to: userId, messages });
        return current;
      } catch (error) {
        if (error instanceof RelayError && error.serverCode === 'devices_changed') {
          // The pairwise send fixes the client's device list; the new devices get the key.
          current = await this.distribute(current, userId, true);
          continue;
        }
        if (error instanceof RelayError && error.serverCode === 'queue_full') throw queueFull(userId, error);
        throw error;
      }
    }
    throw new MessengerError('devices-changed-loop', `the device list of a group member kept changing over ${MAX_DEVICE_ROUNDS} attempts`);
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private async devicesOf(userId: string): Promise<readonly number[]> {
    const contact = await this.history.getContact(userId);
    const ids = contact?.deviceIds ?? [];
    return userId === this.self.userId ? ids.filter((id) => id !== this.self.deviceId) : ids;
  }

  private async activeGroup(groupId: string): Promise<GroupRecord> {
    const group = await this.groups.getGroup(groupId);
    if (group === undefined) throw new MessengerError('user-not-found', 'no group with this id');
    if (!group.active) throw new MessengerError('invalid', 'this user is no longer a member of the group');
    return group;
  }

  private async lookUp(handles: readonly string[]): Promise<GroupMember[]> {
    const members: GroupMember[] = [];
    for (const handle of new Set(handles.map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0))) {
      const { peer } = await this.client.findUser(handle);
      members.push({ userId: peer.userId, handle: peer.handle, displayName: peer.displayName });
    }
    return members;
  }

  /** Handles and names of members, from contacts or the server (for display only). */
  private async profiles(userIds: readonly string[]): Promise<GroupMember[]> {
    return Promise.all(
      userIds.map(async (userId): Promise<GroupMember> => {
        if (userId === this.self.userId) return this.selfMember();
        const contact = await this.history.getContact(userId);
        if (contact !== undefined) return { userId, handle: contact.handle, displayName: contact.displayName };
        try {
          const user = await this.api.getUser(userId);
          return { userId, handle: user.handle, displayName: user.displayName };
        } catch {
          return { userId, handle: '', displayName: userId };
        }
      }),
    );
  }

  private checkUpdate(group: GroupRecord): void {
    const update: GroupUpdateContent = { type: 'group-update', groupId: group.groupId, name: group.name, members: group.members.map((m) => m.userId), updatedAt: group.updatedAt };
    if (!ContentSchema.safeParse(update).success) throw new MessengerError('invalid', 'the group name is empty or too long, or the group too big');
  }

  private selfMember(): GroupMember {
    return { userId: this.self.userId, handle: this.self.handle, displayName: this.self.displayName };
  }

  private selfAddress(): ProtocolAddress {
    return { name: this.self.userId, deviceId: this.self.deviceId };
  }

  private async loadGroupSummaries(): Promise<ConversationSummary[]> {
    return Promise.all((await this.groups.listGroups()).map((group) => this.summaryOf(group)));
  }

  private async summaryOf(group: GroupRecord): Promise<ConversationSummary> {
    const messages = await this.history.listMessages(group.groupId);
    return {
      conversationId: group.groupId,
      peer: { userId: group.groupId, displayName: group.name, handle: '' },
      lastMessage: messages.at(-1) ?? null,
      unread: messages.filter((message) => message.direction === 'in' && message.read !== true).length,
      kind: 'group',
      group: infoOf(group),
    };
  }

  private background(task: Promise<unknown>): void {
    task.catch((error: unknown) => this.failures.next(toFailure(error)));
  }
}

function infoOf(group: GroupRecord): GroupInfo {
  return { groupId: group.groupId, name: group.name, members: group.members, active: group.active };
}

function toFailure(error: unknown): MessengerError {
  if (error instanceof MessengerError) return error;
  return new MessengerError('invalid', error instanceof Error ? error.message : String(error), { cause: error });
}
