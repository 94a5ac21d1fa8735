import type { CallEntry, DeliverFrame } from '@parley/contracts';
import type { ContactNotice, HistoryMessage } from './messenger-api.js';

/** What this device knows of a contact (a 1:1 conversation's peer, or this account itself). */
export interface ContactRecord {
  readonly userId: string;
  readonly handle: string;
  readonly displayName: string;
  /** The account's trusted identity key (base64 of the 33-byte key). */
  readonly identityKey: string;
  /** A different identity key seen since, waiting for `acceptIdentity` (base64). */
  readonly pendingIdentityKey?: string | undefined;
  /** Device ids this device knows of (sessions exist or are to be made). */
  readonly deviceIds: readonly number[];
}

/**
 * Where the messenger keeps history, contacts and notices. The shell implements it in IndexedDB
 * (messages keyed by [from.userId, messageId] with indexes on conversationId and messageId);
 * {@link InMemoryHistoryStore} is the reference. Every write must be durable when its promise
 * resolves: incoming messages are written before the relay acks them.
 */
export interface HistoryStore {
  /** The message `messageId` from `senderUserId` (outgoing ones are from this user). */
  getMessage(senderUserId: string, messageId: string): Promise<HistoryMessage | undefined>;
  /** Every message with this id, whoever sent it (read receipts from this account's other devices name no sender). */
  findMessages(messageId: string): Promise<readonly HistoryMessage[]>;
  /** Inserts or replaces, keyed by (from.userId, messageId). */
  putMessage(message: HistoryMessage): Promise<void>;
  /** One conversation, oldest first (by sentAt, then storedAt). */
  listMessages(conversationId: string): Promise<readonly HistoryMessage[]>;
  getContact(userId: string): Promise<ContactRecord | undefined>;
  putContact(contact: ContactRecord): Promise<void>;
  /** Every contact (each is a conversation, except this account's own record). */
  listContacts(): Promise<readonly ContactRecord[]>;
  listNotices(): Promise<readonly ContactNotice[]>;
  /** Replaces the notice list. */
  putNotices(notices: readonly ContactNotice[]): Promise<void>;
  /**
   * Messages held back (still encrypted) while their sender's identity change waits for the user,
   * oldest first. Kept here, not in memory: the relay acks them once held, so a reload must not
   * lose them.
   */
  listQuarantined(): Promise<readonly DeliverFrame[]>;
  /** Replaces the held messages. */
  putQuarantined(frames: readonly DeliverFrame[]): Promise<void>;
  /** The calls this device had, oldest first (the chat's call log; see CallHistory). */
  listCallEntries(): Promise<readonly CallEntry[]>;
  /** Replaces the kept calls. */
  putCallEntries(entries: readonly CallEntry[]): Promise<void>;
  /** Missed calls started at or before this (ms) were seen (the missed-call badge); 0 when never. */
  getCallsSeenUpTo(): Promise<number>;
  putCallsSeenUpTo(at: number): Promise<void>;
}

const byTime = (a: HistoryMessage, b: HistoryMessage) => a.sentAt - b.sentAt || a.storedAt - b.storedAt;

/** A {@link HistoryStore} in memory: for tests and for a session that keeps nothing. */
export class InMemoryHistoryStore implements HistoryStore {
  private readonly messages = new Map<string, HistoryMessage>();
  private readonly contacts = new Map<string, ContactRecord>();
  private notices: readonly ContactNotice[] = [];
  private quarantined: readonly DeliverFrame[] = [];
  private calls: readonly CallEntry[] = [];
  private callsSeenUpTo = 0;

  async getMessage(senderUserId: string, messageId: string): Promise<HistoryMessage | undefined> {
    return this.messages.get(`${senderUserId}\n${messageId}`);
  }

  async findMessages(messageId: string): Promise<readonly HistoryMessage[]> {
    return [...this.messages.values()].filter((message) => message.messageId === messageId);
  }

  async putMessage(message: HistoryMessage): Promise<void> {
    this.messages.set(`${message.from.userId}\n${message.messageId}`, message);
  }

  async listMessages(conversationId: string): Promise<readonly HistoryMessage[]> {
    return [...this.messages.values()].filter((message) => message.conversationId === conversationId).sort(byTime);
  }

  async getContact(userId: string): Promise<ContactRecord | undefined> {
    return this.contacts.get(userId);
  }

  async putContact(contact: ContactRecord): Promise<void> {
    this.contacts.set(contact.userId, contact);
  }

  async listContacts(): Promise<readonly ContactRecord[]> {
    return [...this.contacts.values()];
  }

  async listNotices(): Promise<readonly ContactNotice[]> {
    return this.notices;
  }

  async putNotices(notices: readonly ContactNotice[]): Promise<void> {
    this.notices = [...notices];
  }

  async listQuarantined(): Promise<readonly DeliverFrame[]> {
    return this.quarantined;
  }

  async putQuarantined(frames: readonly DeliverFrame[]): Promise<void> {
    this.quarantined = [...frames];
  }

  async listCallEntries(): Promise<readonly CallEntry[]> {
    return this.calls;
  }

  async putCallEntries(entries: readonly CallEntry[]): Promise<void> {
    this.calls = [...entries];
  }

  async getCallsSeenUpTo(): Promise<number> {
    return this.callsSeenUpTo;
  }

  async putCallsSeenUpTo(at: number): Promise<void> {
    this.callsSeenUpTo = at;
  }
}
