import { HistoryTransferContentSchema } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { InMemoryHistoryStore } from './history-store.js';
import { exportHistorySince, importHistoryPart, monthsBefore, PART_BUDGET_BYTES, partBudgetFor, partsOf } from './history-transfer.js';
import type { HistoryMessage } from './messenger-api.js';

const DAY = 24 * 60 * 60 * 1000;
const NOW = Date.UTC(2026, 11, 7, 12);
const oldDevice = { userId: 'ada', deviceId: 1, handle: 'ada', displayName: 'Ada' };
const newDevice = { ...oldDevice, deviceId: 3 };
const key = 'B'.repeat(44);

function message(conversationId: string, messageId: string, daysAgo: number, out = false): HistoryMessage {
  return {
    messageId,
    conversationId,
    direction: out ? 'out' : 'in',
    from: out ? { userId: 'ada', deviceId: 1 } : { userId: conversationId, deviceId: 1 },
    body: `${messageId} body`,
    sentAt: NOW - daysAgo * DAY,
    storedAt: NOW - daysAgo * DAY,
    ...(out ? { delivery: 'read' as const } : { read: false }),
  };
}

/** Ada's first device: a conversation with Bob (recent and old messages), one with Cy (old only), a group. */
async function firstDevice() {
  const history = new InMemoryHistoryStore();
  await history.putContact({ userId: 'ada', handle: 'ada', displayName: 'Ada', identityKey: key, deviceIds: [3] });
  await history.putContact({ userId: 'bob', handle: 'bob', displayName: 'Bob', identityKey: key, deviceIds: [1, 2] });
  await history.putContact({ userId: 'cy', handle: 'cy', displayName: 'Cy', identityKey: key, deviceIds: [1] });
  for (const m of [message('bob', 'b-400', 400), message('bob', 'b-80', 80, true), message('bob', 'b-20', 20), message('bob', 'b-1', 1, true), message('cy', 'c-200', 200)]) {
    await history.putMessage(m);
  }
  await history.putMessage({ ...message('group-1', 'g-1', 1), from: { userId: 'bob', deviceId: 1 } });
  return history;
}

describe('history transfer: export by date range', () => {
  it('counts calendar months back from now', () => {
    expect(new Date(monthsBefore(NOW, 1)).toISOString()).toBe('2026-11-07T12:00:00.000Z');
    expect(new Date(monthsBefore(NOW, 12)).toISOString()).toBe('2025-12-07T12:00:00.000Z');
  });

  it.each([
    [1, ['b-20', 'b-1'], ['bob']],
    [3, ['b-80', 'b-20', 'b-1'], ['bob']],
    [12, ['b-80', 'b-20', 'b-1', 'c-200'], ['bob', 'cy']],
  ])('the last %i months: only the 1:1 messages sent since then, and only their conversations', async (months, ids, contacts) => {
    const exported = await exportHistorySince(await firstDevice(), oldDevice, monthsBefore(NOW, months));
    expect(exported.messages.map((m) => m.messageId)).toEqual(ids);
    expect(exported.contacts.map((c) => c.userId)).toEqual(contacts);
  });
});

describe('history transfer: parts', () => {
  it('are valid content, carry every contact in the first part and cut messages by size', async () => {
    const exported = await exportHistorySince(await firstDevice(), oldDevice, monthsBefore(NOW, 12));
    const parts = partsOf(exported, 't1', 3, 200);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.map((p) => [p.part, p.parts])).toEqual(parts.map((_, i) => [i, parts.length]));
    expect(parts.flatMap((p) => p.messages.map((m) => m.messageId))).toEqual(exported.messages.map((m) => m.messageId));
    expect(parts.slice(1).every((p) => p.contacts.length === 0)).toBe(true);
    for (const part of parts) expect(HistoryTransferContentSchema.safeParse(part).success).toBe(true);
  });

  it('are measured in UTF-8 bytes, so Cyrillic text takes more parts than the same number of Latin letters', () => {
    const of = (body: string) => partsOf({ contacts: [], messages: Array.from({ length: 10 }, (_, i) => ({ ...message('bob', `m${i}`, 1), body })) }, 't1', 3, 1_000);
    expect(of('a'.repeat(150)).length).toBeLessThan(of('я'.repeat(150)).length);
  });

  it('get smaller as the account has more devices to copy them to, so one relay frame holds every copy', () => {
    expect(partBudgetFor(1)).toBe(PART_BUDGET_BYTES);
    expect(partBudgetFor(20) * 20).toBeLessThanOrEqual(140_000);
    expect(partBudgetFor(0)).toBe(PART_BUDGET_BYTES);
  });

  it('are refused by the schema when malformed', () => {
    const part = partsOf({ contacts: [], messages: [{ ...message('bob', 'b-1', 1) }] }, 't1', 3)[0]!;
    expect(HistoryTransferContentSchema.safeParse({ ...part, part: 1 }).success).toBe(false);
    expect(HistoryTransferContentSchema.safeParse({ ...part, toDeviceId: 0 }).success).toBe(false);
    expect(HistoryTransferContentSchema.safeParse({ ...part, messages: [{ ...part.messages[0], body: '' }] }).success).toBe(false);
    expect(HistoryTransferContentSchema.safeParse({ ...part, messages: [{ ...part.messages[0], body: '', attachments: [{ ...photo, key: 'short' }] }] }).success).toBe(false);
  });
});

/** A photo's pointer as a caption-less photo message carries it. */
const photo = {
  blobId: 'A'.repeat(22),
  key: 'K'.repeat(88),
  digest: 'D'.repeat(44),
  size: 1234,
  contentType: 'image/jpeg',
  fileName: 'beach.jpg',
};

describe('history transfer: messages without text', () => {
  it('a photo without a caption and a message deleted for everyone go along; one deleted for me does not', async () => {
    const history = await firstDevice();
    await history.putMessage({ ...message('bob', 'b-photo', 2), body: '', attachments: [photo] });
    await history.putMessage({ ...message('bob', 'b-gone', 3), body: '', deletedAt: NOW - 3 * DAY });
    await history.putMessage({ ...message('bob', 'b-hidden', 4), body: '', hidden: true });
    const exported = await exportHistorySince(history, oldDevice, monthsBefore(NOW, 1));
    expect(exported.messages.map((m) => m.messageId).sort()).toEqual(['b-1', 'b-20', 'b-gone', 'b-photo']);

    const parts = partsOf(exported, 't1', 3);
    for (const part of parts) expect(HistoryTransferContentSchema.safeParse(part).success).toBe(true);
    const kept = new InMemoryHistoryStore();
    for (const part of parts) await importHistoryPart(kept, newDevice, { userId: 'ada', deviceId: 1 }, part, NOW + 5);
    const messages = await kept.listMessages('bob');
    expect(messages.find((m) => m.messageId === 'b-photo')).toMatchObject({ body: '', attachments: [photo] });
    expect(messages.find((m) => m.messageId === 'b-gone')).toMatchObject({ body: '', deletedAt: NOW - 3 * DAY });
  });
});

describe('history transfer: import on the new device', () => {
  it('keeps the conversations and their messages (earlier history arrives read) and says which changed', async () => {
    const exported = await exportHistorySince(await firstDevice(), oldDevice, monthsBefore(NOW, 3));
    const history = new InMemoryHistoryStore();
    const changed: string[] = [];
    for (const part of partsOf(exported, 't1', 3, 200)) {
      const outcome = await importHistoryPart(history, newDevice, { userId: 'ada', deviceId: 1 }, part, NOW + 5);
      if ('changed' in outcome) changed.push(...outcome.changed);
    }
    expect([...new Set(changed)]).toEqual(['bob']);
    expect(await history.getContact('bob')).toMatchObject({ handle: 'bob', identityKey: key, deviceIds: [1, 2] });
    const kept = await history.listMessages('bob');
    expect(kept.map((m) => [m.messageId, m.direction])).toEqual([
      ['b-80', 'out'],
      ['b-20', 'in'],
      ['b-1', 'out'],
    ]);
    expect(kept.find((m) => m.messageId === 'b-20')).toMatchObject({ read: true, storedAt: NOW + 5 });
  });

  it('refuses a part from another account, from itself, or addressed to another device, and keeps nothing of it', async () => {
    const part = partsOf(await exportHistorySince(await firstDevice(), oldDevice, 0), 't1', 3)[0]!;
    const history = new InMemoryHistoryStore();
    expect(await importHistoryPart(history, newDevice, { userId: 'mallory', deviceId: 1 }, part, NOW)).toEqual({ refused: 'not-from-this-account' });
    expect(await importHistoryPart(history, newDevice, { userId: 'ada', deviceId: 3 }, part, NOW)).toEqual({ refused: 'not-from-this-account' });
    expect(await importHistoryPart(history, { ...newDevice, deviceId: 2 }, { userId: 'ada', deviceId: 1 }, part, NOW)).toEqual({ refused: 'not-for-this-device' });
    expect(await history.listContacts()).toEqual([]);
  });

  it('keeps what it already has: a known contact and a message it holds stay as they are', async () => {
    const history = new InMemoryHistoryStore();
    await history.putContact({ userId: 'bob', handle: 'bob', displayName: 'Bob D.', identityKey: 'C'.repeat(44), deviceIds: [1] });
    await history.putMessage({ ...message('bob', 'b-1', 1, true), body: 'as kept here' });
    const part = partsOf(await exportHistorySince(await firstDevice(), oldDevice, monthsBefore(NOW, 1)), 't1', 3)[0]!;
    await importHistoryPart(history, newDevice, { userId: 'ada', deviceId: 1 }, part, NOW);
    expect(await history.getContact('bob')).toMatchObject({ displayName: 'Bob D.', identityKey: 'C'.repeat(44) });
    expect((await history.listMessages('bob')).map((m) => m.body)).toEqual(['b-20 body', 'as kept here']);
  });

  it('drops a message whose sender is neither side of its conversation', async () => {
    const history = new InMemoryHistoryStore();
    const forged = { ...message('bob', 'x', 1), from: { userId: 'cy', deviceId: 1 } };
    const part = partsOf({ contacts: [{ userId: 'bob', handle: 'bob', displayName: 'Bob', identityKey: key, deviceIds: [1] }], messages: [forged] }, 't1', 3)[0]!;
    expect(await importHistoryPart(history, newDevice, { userId: 'ada', deviceId: 1 }, part, NOW)).toEqual({ changed: [] });
    expect(await history.listMessages('bob')).toEqual([]);
  });
});
