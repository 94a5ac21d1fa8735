import { describe, expect, it } from 'vitest';
import { groupMessageReceipts, withMemberReceipt } from './group-receipts.js';
import type { HistoryMessage } from './messenger-api.js';

const sent: HistoryMessage = {
  messageId: 'm1',
  conversationId: 'g1',
  direction: 'out',
  from: { userId: 'me', deviceId: 1 },
  body: 'hi all',
  sentAt: 1_000,
  storedAt: 1_000,
  delivery: 'sent',
  memberDelivery: { ada: 'sent', bob: 'sent', cat: 'sent' },
};

describe('group message receipts', () => {
  it('moves a member forward and keeps when each receipt came', () => {
    const delivered = withMemberReceipt(sent, 'ada', 'delivered', 2_000);
    const read = withMemberReceipt(delivered, 'ada', 'read', 3_000);
    expect(read.memberDelivery).toEqual({ ada: 'read', bob: 'sent', cat: 'sent' });
    expect(read.memberReceipts).toEqual({ ada: { deliveredAt: 2_000, readAt: 3_000 } });
  });

  it('never moves back; a late "delivered" after "read" only adds its time; a repeat changes nothing', () => {
    const read = withMemberReceipt(sent, 'bob', 'read', 3_000);
    const late = withMemberReceipt(read, 'bob', 'delivered', 2_500);
    expect(late.memberDelivery?.bob).toBe('read');
    expect(late.memberReceipts?.bob).toEqual({ readAt: 3_000, deliveredAt: 2_500 });
    expect(withMemberReceipt(late, 'bob', 'read', 9_000)).toBe(late);
  });

  it('ignores someone the message did not go to, and a message without member states', () => {
    expect(withMemberReceipt(sent, 'mallory', 'read', 1)).toBe(sent);
    const { memberDelivery: _, ...old } = sent;
    expect(withMemberReceipt(old, 'ada', 'read', 1)).toBe(old);
  });

  it('lists who read (latest first), who has it delivered, and who not yet', () => {
    let message = withMemberReceipt(sent, 'ada', 'read', 3_000);
    message = withMemberReceipt(message, 'cat', 'read', 4_000);
    message = withMemberReceipt(message, 'bob', 'delivered', 2_000);
    expect(groupMessageReceipts(message)).toEqual({
      readBy: [
        { userId: 'cat', at: 4_000 },
        { userId: 'ada', at: 3_000 },
      ],
      deliveredTo: [{ userId: 'bob', at: 2_000 }],
      waiting: [],
    });
    expect(groupMessageReceipts(sent)).toEqual({ readBy: [], deliveredTo: [], waiting: ['ada', 'bob', 'cat'] });
  });
});
