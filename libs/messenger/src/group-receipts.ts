import type { HistoryMessage, MemberDeliveryState } from './messenger-api.js';

/** When one member's receipts for a group message came, by their clock (ms). */
export interface MemberReceiptTimes {
  readonly deliveredAt?: number;
  readonly readAt?: number;
}

const RANK: Record<MemberDeliveryState, number> = { sent: 0, delivered: 1, read: 2 };

/**
 * `message` after `memberUserId`'s receipt of `kind` at `at`: their state moves forward (never
 * back) and the receipt's time is kept (the first of each kind). The same message when nothing
 * changes, or when the member is not one the message went to.
 */
export function withMemberReceipt(message: HistoryMessage, memberUserId: string, kind: 'delivered' | 'read', at: number | undefined): HistoryMessage {
  const current = message.memberDelivery?.[memberUserId];
  if (message.memberDelivery === undefined || current === undefined) return message;
  const times = message.memberReceipts?.[memberUserId] ?? {};
  const field = kind === 'read' ? 'readAt' : 'deliveredAt';
  const newTime = at !== undefined && times[field] === undefined;
  const advances = RANK[kind] > RANK[current];
  if (!advances && !newTime) return message;
  return {
    ...message,
    memberDelivery: advances ? { ...message.memberDelivery, [memberUserId]: kind } : message.memberDelivery,
    ...(newTime ? { memberReceipts: { ...message.memberReceipts, [memberUserId]: { ...times, [field]: at } } } : {}),
  };
}

/** One member in a "Message info" list, with the time of their receipt when it is known. */
export interface MemberReceipt {
  readonly userId: string;
  readonly at?: number;
}

/** Who has read an own group message, who has it delivered (not read yet), and who not even that. */
export interface GroupMessageReceipts {
  readonly readBy: readonly MemberReceipt[];
  readonly deliveredTo: readonly MemberReceipt[];
  readonly waiting: readonly string[];
}

/** An own group message's receipts as "Message info" lists them: the latest first in each list. */
export function groupMessageReceipts(message: HistoryMessage): GroupMessageReceipts {
  const entries = Object.entries(message.memberDelivery ?? {});
  const list = (state: MemberDeliveryState, field: keyof MemberReceiptTimes): MemberReceipt[] =>
    entries
      .filter(([, s]) => s === state)
      .map(([userId]) => {
        const at = message.memberReceipts?.[userId]?.[field];
        return at === undefined ? { userId } : { userId, at };
      })
      .sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
  return { readBy: list('read', 'readAt'), deliveredTo: list('delivered', 'deliveredAt'), waiting: entries.filter(([, s]) => s === 'sent').map(([userId]) => userId) };
}
