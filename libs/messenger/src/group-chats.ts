import { fromBase64, fromUtf8, toBase64, utf8 } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import {
  type Content,
  ContentSchema,
  type DeliverFrame,
  type GroupUpdateContent,
  type ReceiptContent,
  type SenderKeyContent,
  type TextContent,
  TextContentSchema,
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
import type { ParleyApiClient } from './api-client.js';
import type { ContactDirectory } from './contact-directory.js';
import type { ConversationChanges } from './conversation-changes.js';
import type { ConversationLog } from './conversation-log.js';
import { type RelaySend, sendToEveryDevice } from './device-fan-out.js';
import { type FailureSink, inBackground, MessengerError, toMessengerError } from './errors.js';
import type { GroupRecord, GroupStore } from './group-store.js';
import { groupInfoOf, groupSummary } from './conversation-list.js';
import type { HistoryStore } from './history-store.js';
import { KeyedQueue } from './keyed-queue.js';
import type { ConversationSummary, GroupInfo, GroupMember, HistoryMessage } from './messenger-api.js';
import { type MessengerSelf, SENDER_KEY_MESSAGE_TYPE, selfAddress } from './signal-sessions.js';

/**
 * A group text goes out as one `send` per member user (the server checks device lists per user);
 * each `send` id is the message id, this separator and the recipient's index. Receivers strip it.
 */
export const GROUP_FRAME_SEPARATOR = '~';
/** The most message ids one receipt carries (ReceiptContentSchema's bound). */
const MAX_RECEIPT_IDS = 1000;
/** Group messages held until their sender's key or the group's state arrives. */
export const MAX_HELD_GROUP_MESSAGES = 500;
/**
 * How far ahead of this device's clock a group update may be dated. Updates apply in date order
 * (an older one is ignored), so one dated years ahead would pin the group's state: every honest
 * update after it would count as older. Clocks differ by minutes, not days.
 */
export const MAX_GROUP_UPDATE_AHEAD_MS = 24 * 60 * 60_000;

/** What group chats are built from: the pairwise side carries group state and sender keys. */
export interface GroupChatsOptions {
  readonly self: MessengerSelf;
  /** For members' names when they are not contacts yet. */
  readonly api: ParleyApiClient;
  /** The device's one Signal store (sender keys live there). */
  readonly store: SignalProtocolStore;
  readonly history: HistoryStore;
  readonly groups: GroupStore;
  readonly relay: RelaySend;
  readonly directory: ContactDirectory;
  readonly log: ConversationLog;
  readonly changes: ConversationChanges;
  /** Sends content over the pairwise sessions to every device of a user. */
  readonly sendContent: (toUserId: string, content: Exclude<Content, TextContent>) => Promise<void>;
  readonly clock: WallClock;
  readonly newMessageId: () => string;
  /** New group ids and sender key distribution ids. */
  readonly newId: () => string;
  readonly onFailure: FailureSink;
}

const deviceKey = (userId: string, deviceId: number) => `${userId}.${deviceId}`;

/**
 * Group chats as Signal does them: the group (id, name, members) lives on the clients and travels
 * as `group-update` content over the pairwise sessions; each device's sender key goes to every
 * member device as `sender-key` content over the pairwise sessions, lazily before its first group
 * text to them; a group text is encrypted once (groupEncrypt) and the same SenderKeyMessage
 * (type 7) goes to every member device, one relay `send` per member. After a removal every
 * remaining device uses a new distribution id (a fresh sender key the removed member never gets);
 * an added member gets the current key, so only later texts.
 */
export class GroupChats {
  private readonly options: GroupChatsOptions;
  private readonly self: MessengerSelf;
  private readonly store: SignalProtocolStore;
  private readonly groups: GroupStore;
  private readonly changes: ConversationChanges;
  private readonly clock: WallClock;
  private readonly queue = new KeyedQueue();
  private held: DeliverFrame[] = [];
  /** Plaintext of a held frame already decrypted (its chain moved on): kept with it. */
  private readonly heldPlaintext = new WeakMap<DeliverFrame, Uint8Array>();

  constructor(options: GroupChatsOptions) {
    this.options = options;
    this.self = options.self;
    this.store = options.store;
    this.groups = options.groups;
    this.changes = options.changes;
    this.clock = options.clock;
  }

  /** One group as the UI shows it, or undefined for an id that is not a group. */
  async group(groupId: string): Promise<GroupInfo | undefined> {
    const group = await this.groups.getGroup(groupId);
    return group === undefined ? undefined : groupInfoOf(group);
  }

  async createGroup(name: string, handles: readonly string[]): Promise<ConversationSummary> {
    const trimmed = name.trim();
    const others = await this.lookUp(handles);
    const group: GroupRecord = {
      groupId: `g.${this.options.newId()}`,
      name: trimmed,
      members: [this.selfMember(), ...others],
      active: true,
      updatedAt: this.clock.now(),
      distributionId: this.options.newId(),
      distributedTo: [],
    };
    this.checkUpdate(group);
    await this.groups.putGroup(group);
    this.changes.changed(null);
    await this.announce(group, []);
    return this.summaryOf(group);
  }

  async addMembers(groupId: string, handles: readonly string[]): Promise<void> {
    const added = await this.lookUp(handles);
    const group = await this.queue.run(groupId, async () => {
      const known = await this.activeGroup(groupId);
      const fresh = added.filter((member) => !known.members.some((m) => m.userId === member.userId));
      // The current sender key goes to the newcomers with the next text: from its current iteration on.
      const next: GroupRecord = { ...known, members: [...known.members, ...fresh], updatedAt: Math.max(this.clock.now(), known.updatedAt + 1) };
      this.checkUpdate(next);
      await this.groups.putGroup(next);
      return next;
    });
    this.changes.changed(null);
    this.changes.changed(groupId);
    await this.announce(group, []);
  }

  async removeMember(groupId: string, userId: string): Promise<void> {
    const { group, removed } = await this.queue.run(groupId, async () => {
      const known = await this.activeGroup(groupId);
      const removed = known.members.find((m) => m.userId === userId);
      if (removed === undefined) throw new MessengerError('invalid', 'not a member of this group');
      const next: GroupRecord = {
        ...known,
        members: known.members.filter((m) => m.userId !== userId),
        active: userId !== this.self.userId,
        updatedAt: Math.max(this.clock.now(), known.updatedAt + 1),
        // A fresh sender key the removed member never gets.
        distributionId: this.options.newId(),
        distributedTo: [],
      };
      await this.groups.putGroup(next);
      return { group: next, removed };
    });
    this.changes.changed(null);
    this.changes.changed(groupId);
    // The removed member hears it too, so their app shows the group as left.
    await this.announce(group, [removed.userId]);
  }

  /** `extras`: attachments, and `quote` for a reply quoting a message of the group. */
  async sendGroupText(groupId: string, body: string, extras: Pick<TextContent, 'attachments' | 'quote'> = {}): Promise<HistoryMessage> {
    const { log } = this.options;
    const content: TextContent = { type: 'text', conversationId: groupId, body, sentAt: this.clock.now(), ...extras };
    if (!TextContentSchema.safeParse(content).success) throw new MessengerError('invalid', 'the text is empty or too long');
    const known = await this.activeGroup(groupId);
    const message = await log.addOutgoing(this.options.newMessageId(), content, this.othersIn(known));
    try {
      await this.queue.run(groupId, async () => {
        const group = await this.activeGroup(groupId);
        const recipients = [...group.members.map((m) => m.userId).filter((id) => id !== this.self.userId), this.self.userId];
        let current = group;
        for (const userId of recipients) current = await this.distribute(current, userId);
        // Encrypted once: the same bytes go to every member device.
        const encrypted = await groupEncrypt(this.store, selfAddress(this.self), current.distributionId, utf8(JSON.stringify(content)));
        const ciphertext = toBase64(encrypted.serialized);
        for (const [index, userId] of recipients.entries()) {
          current = await this.sendToMember(current, userId, `${message.messageId}${GROUP_FRAME_SEPARATOR}${index}`, ciphertext);
        }
      });
    } catch (error) {
      await log.setDelivery(message.messageId, 'failed');
      throw error instanceof MessengerError ? error : new MessengerError('network', error instanceof Error ? error.message : String(error), { cause: error });
    }
    return (await log.setDelivery(message.messageId, 'sent')) ?? { ...message, delivery: 'sent' };
  }

  /**
   * Marks group texts read here; each sender gets a read receipt for theirs and this account's other
   * devices one for all, over the pairwise sessions as in 1:1 chats (a sender's older client ignores it).
   */
  async markRead(groupId: string, messageIds: readonly string[]): Promise<void> {
    const wanted = new Set(messageIds);
    const newlyReadBySender = new Map<string, string[]>();
    for (const message of await this.options.history.listMessages(groupId)) {
      if (!wanted.has(message.messageId) || !(await this.options.log.markRead(message.from.userId, message.messageId))) continue;
      newlyReadBySender.set(message.from.userId, [...(newlyReadBySender.get(message.from.userId) ?? []), message.messageId]);
    }
    if (newlyReadBySender.size === 0) return;
    this.changes.changed(groupId);
    for (const [senderId, ids] of newlyReadBySender) this.sendReceipt(senderId, 'read', ids);
    this.sendReceipt(this.self.userId, 'read', [...newlyReadBySender.values()].flat());
  }

  /** A receipt to every device of `userId`, in the background (a failed one is reported, not thrown). */
  private sendReceipt(userId: string, kind: ReceiptContent['kind'], messageIds: readonly string[]): void {
    for (let start = 0; start < messageIds.length; start += MAX_RECEIPT_IDS) {
      const receipt: ReceiptContent = { type: 'receipt', kind, messageIds: messageIds.slice(start, start + MAX_RECEIPT_IDS), at: this.clock.now() };
      inBackground(this.options.sendContent(userId, receipt), this.options.onFailure);
    }
  }

  /** The members other than this account: whose receipts this account's group messages wait for. */
  private othersIn(group: GroupRecord): string[] {
    return group.members.map((m) => m.userId).filter((id) => id !== this.self.userId);
  }

  // ── receiving ───────────────────────────────────────────────────────────────────────────────

  /** Decrypts and keeps a group text (type 7); holds it when its sender key or its group is not here yet. */
  readonly receiveMessage = async (frame: DeliverFrame): Promise<void> => {
    await this.decryptAndKeep(frame);
  };

  /** A member's (or this account's other device's) sender key: kept, and held texts tried again. */
  readonly receiveSenderKey = async (frame: DeliverFrame, content: SenderKeyContent): Promise<null> => {
    await processSenderKeyDistributionMessage(this.store, { name: frame.from.userId, deviceId: frame.from.deviceId }, fromBase64(content.distribution));
    await this.retryHeld();
    // Sender keys never go on the bus.
    return null;
  };

  /** Applies a group's new state from a member (or from this account's other device); it goes on the bus. */
  readonly receiveUpdate = async (frame: DeliverFrame, update: GroupUpdateContent): Promise<GroupUpdateContent> => {
    await this.applyUpdate(frame, update);
    await this.retryHeld();
    return update;
  };

  private async decryptAndKeep(frame: DeliverFrame): Promise<'stored' | 'held' | 'dropped'> {
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
    return this.keepDecrypted(frame, plaintext);
  }

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
        if (plaintext === undefined) await this.decryptAndKeep(frame);
        else await this.keepDecrypted(frame, plaintext);
      } catch (error) {
        this.options.onFailure(toMessengerError(error));
      }
    }
  }

  /** Keeps a decrypted group text once per (sender, message id); holds it while its group is unknown here. */
  private async keepDecrypted(frame: DeliverFrame, plaintext: Uint8Array): Promise<'stored' | 'held' | 'dropped'> {
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
    if (await this.options.log.has(frame.from.userId, messageId)) return 'dropped';
    await this.options.log.addArrived({ messageId, conversationId: group.groupId, from: frame.from, content, ...(isSelf ? { sentTo: this.othersIn(group) } : {}) });
    this.changes.changed(null);
    if (!isSelf) this.sendReceipt(frame.from.userId, 'delivered', [messageId]);
    return 'stored';
  }

  private async applyUpdate(frame: DeliverFrame, update: GroupUpdateContent): Promise<void> {
    const senderId = frame.from.userId;
    if (update.updatedAt > this.clock.now() + MAX_GROUP_UPDATE_AHEAD_MS) {
      this.options.onFailure(new MessengerError('invalid', `a group update dated more than ${MAX_GROUP_UPDATE_AHEAD_MS / 3_600_000} h ahead of this device's clock was ignored`));
      return;
    }
    const members = await this.profiles(update.members);
    const applied = await this.queue.run(update.groupId, async () => {
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
        distributionId: known === undefined || removedSomeone ? this.options.newId() : known.distributionId,
        distributedTo: known === undefined || removedSomeone ? [] : known.distributedTo,
      };
      await this.groups.putGroup(next);
      return true;
    });
    if (!applied) return;
    this.changes.changed(null);
    this.changes.changed(update.groupId);
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────────

  /** Sends the group's state to every member's devices (and `extra` users), and to this account's other devices. */
  private async announce(group: GroupRecord, extra: readonly string[]): Promise<void> {
    const content: GroupUpdateContent = updateOf(group);
    const to = [...group.members.map((m) => m.userId).filter((id) => id !== this.self.userId), ...extra];
    await Promise.all(to.map((userId) => this.options.sendContent(userId, content)));
    inBackground(this.options.sendContent(this.self.userId, content), this.options.onFailure);
  }

  /** Sends this device's current sender key to those of `userId`'s devices that do not have it. */
  private async distribute(group: GroupRecord, userId: string, force = false): Promise<GroupRecord> {
    const { directory } = this.options;
    const devices = await directory.knownDevices(userId);
    const missing = devices.filter((deviceId) => force || !group.distributedTo.includes(deviceKey(userId, deviceId)));
    if (missing.length === 0 && !(userId !== this.self.userId && devices.length === 0)) return group;
    const skdm = await createSenderKeyDistributionMessage(this.store, selfAddress(this.self), group.distributionId);
    const content: SenderKeyContent = { type: 'sender-key', groupId: group.groupId, distribution: toBase64(skdm.serialized) };
    await this.options.sendContent(userId, content);
    // The pairwise send fixed the device list: those are the devices that have the key now.
    const now = await directory.knownDevices(userId);
    const next: GroupRecord = { ...group, distributedTo: [...new Set([...group.distributedTo, ...now.map((id) => deviceKey(userId, id))])] };
    await this.groups.putGroup(next);
    return next;
  }

  /** One relay `send` of the group ciphertext to every device of one member; on `devices_changed` the new devices get the key first. */
  private async sendToMember(group: GroupRecord, userId: string, frameId: string, ciphertext: string): Promise<GroupRecord> {
    let current = group;
    await sendToEveryDevice(
      this.options.relay,
      userId,
      frameId,
      {
        messages: async () => {
          const devices = await this.options.directory.knownDevices(userId);
          return devices.length === 0 ? 'nobody' : devices.map((deviceId) => ({ deviceId, type: SENDER_KEY_MESSAGE_TYPE, ciphertext }));
        },
        devicesChanged: async () => {
          // The pairwise send fixes the device list; the new devices get the key.
          current = await this.distribute(current, userId, true);
          return true;
        },
      },
      'a group member',
    );
    return current;
  }

  // ── helpers ─────────────────────────────────────────────────────────────────────────────────

  private async activeGroup(groupId: string): Promise<GroupRecord> {
    const group = await this.groups.getGroup(groupId);
    if (group === undefined) throw new MessengerError('user-not-found', 'no group with this id');
    if (!group.active) throw new MessengerError('invalid', 'this user is no longer a member of the group');
    return group;
  }

  private async lookUp(handles: readonly string[]): Promise<GroupMember[]> {
    const members: GroupMember[] = [];
    for (const handle of new Set(handles.map((h) => h.trim().toLowerCase()).filter((h) => h.length > 0))) {
      const contact = await this.options.directory.findUser(handle);
      members.push({ userId: contact.userId, handle: contact.handle, displayName: contact.displayName });
    }
    return members;
  }

  /** Handles and names of members, from contacts or the server (for display only). */
  private async profiles(userIds: readonly string[]): Promise<GroupMember[]> {
    return Promise.all(
      userIds.map(async (userId): Promise<GroupMember> => {
        if (userId === this.self.userId) return this.selfMember();
        const contact = await this.options.directory.known(userId);
        if (contact !== undefined) return { userId, handle: contact.handle, displayName: contact.displayName };
        try {
          const user = await this.options.api.getUser(userId);
          return { userId, handle: user.handle, displayName: user.displayName };
        } catch {
          return { userId, handle: '', displayName: userId };
        }
      }),
    );
  }

  private checkUpdate(group: GroupRecord): void {
    if (!ContentSchema.safeParse(updateOf(group)).success) throw new MessengerError('invalid', 'the group name is empty or too long, or the group too big');
  }

  private selfMember(): GroupMember {
    return { userId: this.self.userId, handle: this.self.handle, displayName: this.self.displayName };
  }

  private summaryOf(group: GroupRecord): Promise<ConversationSummary> {
    return groupSummary(this.options.history, group);
  }
}

/** The `group-update` content that tells members a group's state. */
function updateOf(group: GroupRecord): GroupUpdateContent {
  return { type: 'group-update', groupId: group.groupId, name: group.name, members: group.members.map((m) => m.userId), updatedAt: group.updatedAt };
}
