import { utf8 } from '@parley/bytes';
import type { HistoryTransferContent, TransferredContact, TransferredMessage } from '@parley/contracts';
import type { ContactRecord, HistoryStore } from './history-store.js';
import type { HistoryMessage } from './messenger-api.js';
import type { MessengerSelf } from './signal-sessions.js';

// History transfer to a newly linked browser (issue 19). The parts travel as `history-transfer`
// content over the pairwise Signal sessions of this account (device-fan-out.ts): every part is a
// Signal message like any other, so the server queues ciphertext only and no new crypto is needed.
// The relay takes a frame of at most 256 kB holding one copy per device of the account (base64 of
// the Signal message, about 4/3 of the plaintext), so a part stays well below that; a bigger
// history simply takes more parts.

/** Most UTF-8 bytes of JSON (messages and contacts) in one part. */
export const PART_BUDGET_BYTES = 24_000;
/** UTF-8 bytes of JSON all copies of one part may add up to: ~190 kB of base64 in a 256 kB frame. */
const FRAME_BUDGET_BYTES = 140_000;

/** The part budget when each part goes to `copies` devices (the account's other devices). */
export function partBudgetFor(copies: number): number {
  return Math.min(PART_BUDGET_BYTES, Math.floor(FRAME_BUDGET_BYTES / Math.max(1, copies)));
}

/** What a transfer carries before it is cut into parts: the 1:1 conversations' contacts and their recent messages. */
export interface HistoryExport {
  readonly contacts: readonly TransferredContact[];
  readonly messages: readonly TransferredMessage[];
}

/** The moment `months` calendar months before `now` (UTC): where a transfer's history starts. */
export function monthsBefore(now: number, months: number): number {
  const start = new Date(now);
  start.setUTCMonth(start.getUTCMonth() - months);
  return start.getTime();
}

/**
 * This device's 1:1 conversations with a message sent at or after `since`, and those messages
 * (oldest first per conversation). Groups are left out: a group needs its sender keys, which a
 * new device gets from the members, not from history.
 */
export async function exportHistorySince(history: HistoryStore, self: MessengerSelf, since: number): Promise<HistoryExport> {
  const contacts: TransferredContact[] = [];
  const messages: TransferredMessage[] = [];
  for (const contact of await history.listContacts()) {
    if (contact.userId === self.userId) continue;
    // A message deleted for me stays on this device only so that late actions find nothing to show:
    // the new browser has no use for it.
    const recent = (await history.listMessages(contact.userId)).filter((message) => message.sentAt >= since && message.hidden !== true);
    if (recent.length === 0) continue;
    contacts.push({ userId: contact.userId, handle: contact.handle, displayName: contact.displayName, identityKey: contact.identityKey, deviceIds: [...contact.deviceIds] });
    messages.push(...recent.map(transferable));
  }
  return { contacts, messages };
}

/** A kept message as it travels: what a `sending` message becomes on arrival is `failed` (it never left that device). */
function transferable(message: HistoryMessage): TransferredMessage {
  return message.delivery === 'sending' ? { ...message, delivery: 'failed' } : { ...message };
}

/**
 * Cuts an export into parts of at most `budget` UTF-8 bytes of JSON (a single larger message gets a
 * part of its own). Every contact goes in the first part, so a message never arrives before its
 * conversation.
 */
export function partsOf(exported: HistoryExport, transferId: string, toDeviceId: number, budget = PART_BUDGET_BYTES): HistoryTransferContent[] {
  const size = (value: unknown) => utf8(JSON.stringify(value)).length;
  const batches: TransferredMessage[][] = [[]];
  let used = size(exported.contacts);
  for (const message of exported.messages) {
    const bytes = size(message) + 1;
    if (used + bytes > budget && batches.at(-1)!.length > 0) {
      batches.push([]);
      used = 0;
    }
    batches.at(-1)!.push(message);
    used += bytes;
  }
  return batches.map((messages, part) => ({
    type: 'history-transfer',
    transferId,
    toDeviceId,
    part,
    parts: batches.length,
    contacts: part === 0 ? [...exported.contacts] : [],
    messages,
  }));
}

/** Why a part was not kept. */
export type HistoryPartRefusal = 'not-for-this-device' | 'not-from-this-account';

/**
 * Keeps one part on the new device: contacts it does not know yet (one it knows stays as it is,
 * its trusted key included), and messages it does not have. Returns the conversations that changed,
 * or why the part was refused: only this account's other devices may send history, and only to it.
 */
export async function importHistoryPart(
  history: HistoryStore,
  self: MessengerSelf,
  from: { readonly userId: string; readonly deviceId: number },
  part: HistoryTransferContent,
  storedAt: number,
): Promise<{ readonly changed: readonly string[] } | { readonly refused: HistoryPartRefusal }> {
  if (from.userId !== self.userId || from.deviceId === self.deviceId) return { refused: 'not-from-this-account' };
  if (part.toDeviceId !== self.deviceId) return { refused: 'not-for-this-device' };
  const known = new Set<string>();
  for (const contact of part.contacts) {
    if (contact.userId === self.userId) continue;
    if ((await history.getContact(contact.userId)) === undefined) await history.putContact(contactRecord(contact));
    known.add(contact.userId);
  }
  const changed = new Set<string>();
  for (const message of part.messages) {
    // A conversation is with someone else; a message names either side as its sender.
    if (message.conversationId === self.userId) continue;
    if (![self.userId, message.conversationId].includes(message.from.userId)) continue;
    if (!known.has(message.conversationId)) {
      // Only the first part carries contacts: look each conversation up once, not once per message.
      if ((await history.getContact(message.conversationId)) === undefined) continue;
      known.add(message.conversationId);
    }
    if ((await history.getMessage(message.from.userId, message.messageId)) !== undefined) continue;
    const direction = message.from.userId === self.userId ? 'out' : 'in';
    // Earlier history is not news: it arrives read, so no unread badge counts it.
    await history.putMessage({ ...message, direction, storedAt, ...(direction === 'in' ? { read: true } : {}) } as HistoryMessage);
    changed.add(message.conversationId);
  }
  return { changed: [...changed] };
}

function contactRecord(contact: TransferredContact): ContactRecord {
  return { userId: contact.userId, handle: contact.handle, displayName: contact.displayName, identityKey: contact.identityKey, deviceIds: [...contact.deviceIds] };
}
