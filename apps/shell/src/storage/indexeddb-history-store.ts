import type { ContactNotice, ContactRecord, HistoryMessage, HistoryStore } from '@parley/messenger';
import { type DeviceDatabase, MESSAGE_INDEXES, STORES } from './device-database.js';

const NOTICES = 'contact-notices';

const byTime = (a: HistoryMessage, b: HistoryMessage) => a.sentAt - b.sentAt || a.storedAt - b.storedAt;

/**
 * The messenger's {@link HistoryStore} in the device database: messages keyed by
 * [from.userId, messageId] with indexes on conversationId and messageId, contacts by user id,
 * notices as one list. Each write is its own IndexedDB transaction and resolves once committed,
 * so an incoming message is on disk before the relay acks it.
 */
export class IndexedDbHistoryStore implements HistoryStore {
  constructor(private readonly db: DeviceDatabase) {}

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

  getContact(userId: string): Promise<ContactRecord | undefined> {
    return this.db.get<ContactRecord>(STORES.contacts, userId);
  }

  putContact(contact: ContactRecord): Promise<void> {
    return this.db.put(STORES.contacts, contact.userId, contact);
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
}
