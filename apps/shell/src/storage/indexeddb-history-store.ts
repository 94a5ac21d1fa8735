import type { CallEntry, DeliverFrame } from '@parley/contracts';
import type { ContactNotice, ContactRecord, HistoryMessage, HistoryStore } from '@parley/messenger';
import { type DeviceDatabase, MESSAGE_INDEXES, STORES } from './device-database.js';
import { RecordCache } from '@parley/signal-protocol/indexeddb';

const NOTICES = 'contact-notices';
const QUARANTINED = 'quarantined-messages';
const CALL_ENTRIES = 'call-entries';
const CALLS_SEEN_UP_TO = 'calls-seen-up-to';

const byTime = (a: HistoryMessage, b: HistoryMessage) => a.sentAt - b.sentAt || a.storedAt - b.storedAt;

/**
 * The messenger's {@link HistoryStore} in the device database: messages keyed by
 * [from.userId, messageId] with indexes on conversationId and messageId, contacts by user id,
 * notices, the messages held during identity changes and the calls as one list each. Each write is its own IndexedDB transaction and resolves once committed,
 * so an incoming message is on disk before the relay acks it.
 */
export class IndexedDbHistoryStore implements HistoryStore {
  private readonly contacts: RecordCache<ContactRecord>;

  /**
   * `cacheContacts`: keep contacts in memory (every message sent or received reads its contact,
   * call set-up sends one per step). Only for the sole writer of the database, as
   * `SignalStoreOptions.cacheRecords`.
   */
  constructor(
    private readonly db: DeviceDatabase,
    options: { readonly cacheContacts?: boolean } = {},
  ) {
    this.contacts = new RecordCache(options.cacheContacts ?? false);
  }

  getMessage(senderUserId: string, messageId: string): Promise<HistoryMessage | undefined> {
    return this.db.get<HistoryMessage>(STORES.messages, [senderUserId, messageId]);
  }

  findMessages(messageId: string): Promise<readonly HistoryMessage[]> {
    return this.db.byIndex<HistoryMessage>(STORES.messages, MESSAGE_INDEXES.byMessageId, messageId);
  }

  putMessage(message: HistoryMessage): Promise<void> {
    return this.db.put(STORES.messages, [message.from.userId, message.messageId], message);
  }

  async listMessages(conversationId: string): Promise<readonly HistoryMessage[]> {
    return (await this.db.byIndex<HistoryMessage>(STORES.messages, MESSAGE_INDEXES.byConversation, conversationId)).sort(byTime);
  }

  async getContact(userId: string): Promise<ContactRecord | undefined> {
    return this.contacts.read(userId, async () => frozen(await this.db.get<ContactRecord>(STORES.contacts, userId)));
  }

  putContact(contact: ContactRecord): Promise<void> {
    return this.contacts.write(contact.userId, frozen(contact) ?? null, () => this.db.put(STORES.contacts, contact.userId, contact));
  }

  async listContacts(): Promise<readonly ContactRecord[]> {
    return (await this.db.entries<ContactRecord>(STORES.contacts)).map(([, contact]) => contact);
  }

  async listNotices(): Promise<readonly ContactNotice[]> {
    return (await this.db.get<ContactNotice[]>(STORES.meta, NOTICES)) ?? [];
  }

  putNotices(notices: readonly ContactNotice[]): Promise<void> {
    return this.db.put(STORES.meta, NOTICES, [...notices]);
  }

  async listQuarantined(): Promise<readonly DeliverFrame[]> {
    return (await this.db.get<DeliverFrame[]>(STORES.meta, QUARANTINED)) ?? [];
  }

  putQuarantined(frames: readonly DeliverFrame[]): Promise<void> {
    return this.db.put(STORES.meta, QUARANTINED, [...frames]);
  }

  async listCallEntries(): Promise<readonly CallEntry[]> {
    return (await this.db.get<CallEntry[]>(STORES.meta, CALL_ENTRIES)) ?? [];
  }

  putCallEntries(entries: readonly CallEntry[]): Promise<void> {
    return this.db.put(STORES.meta, CALL_ENTRIES, [...entries]);
  }

  async getCallsSeenUpTo(): Promise<number> {
    return (await this.db.get<number>(STORES.meta, CALLS_SEEN_UP_TO)) ?? 0;
  }

  putCallsSeenUpTo(at: number): Promise<void> {
    return this.db.put(STORES.meta, CALLS_SEEN_UP_TO, at);
  }
}

/** A copy nobody can change in place: the cache hands the same one to every reader. */
function frozen(contact: ContactRecord | undefined): ContactRecord | undefined {
  return contact === undefined ? undefined : Object.freeze({ ...contact, deviceIds: Object.freeze([...contact.deviceIds]) });
}
