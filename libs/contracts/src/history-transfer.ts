/**
 * Recent history sent by an existing device to a browser just linked to the same account (issue
 * 19, as WhatsApp does), in parts. Each part is ordinary content over the pairwise Signal session
 * (the server sees only ciphertext); it goes to every device of the account (the relay takes a
 * send only when it covers them all) and only the device named by `toDeviceId` keeps it.
 */
import { z } from 'zod';
import { ATTACHMENTS_PER_MESSAGE_MAX, AttachmentPointerSchema } from './attachments.js';
import { CONTENT_MAX_TEXT_CHARS } from './content-limits.js';

/** How far back a history transfer reaches, in months; 0 sends nothing. */
export const HISTORY_TRANSFER_MONTHS = [0, 1, 3, 12] as const;
export type HistoryTransferMonths = (typeof HISTORY_TRANSFER_MONTHS)[number];

const id = z.string().min(1).max(128);

/** A 1:1 conversation's contact as the sending device knows it (its identity key is public). */
export const TransferredContactSchema = z.object({
  userId: id,
  handle: z.string().max(128),
  displayName: z.string().max(128),
  /** base64 of the 33-byte identity key the sending device trusts. */
  identityKey: z.string().min(1).max(64),
  deviceIds: z.array(z.number().int().positive()).max(128),
});

const transferredPointers = z.array(AttachmentPointerSchema).min(1).max(ATTACHMENTS_PER_MESSAGE_MAX);

/**
 * The body may be empty only where the message is still something to show: a photo, file or voice
 * message without a caption (its pointers are checked here too), or the tombstone of a message
 * deleted for everyone. Checked on the loose fields rather than declared, so the content's type on
 * the bus (the shell contract) stays as it was.
 */
function showsSomething(message: { body: string; [field: string]: unknown }): boolean {
  const { attachments, deletedAt } = message;
  if (attachments !== undefined && !transferredPointers.safeParse(attachments).success) return false;
  return message.body.length > 0 || attachments !== undefined || typeof deletedAt === 'number';
}

/** One message of a conversation's history; fields added later to history messages pass through. */
export const TransferredMessageSchema = z
  .object({
    messageId: id,
    conversationId: id,
    direction: z.enum(['in', 'out']),
    from: z.object({ userId: id, deviceId: z.number().int().positive() }),
    body: z.string().max(CONTENT_MAX_TEXT_CHARS),
    sentAt: z.number().int().nonnegative(),
    storedAt: z.number().int().nonnegative(),
    delivery: z.enum(['sending', 'sent', 'delivered', 'read', 'failed']).optional(),
    read: z.boolean().optional(),
  })
  .loose()
  .refine(showsSomething, { message: 'a text, an attachment or a deleted message', path: ['body'] });

/** One part of a history transfer. */
export const HistoryTransferContentSchema = z.object({
  type: z.literal('history-transfer'),
  /** The same for every part of one transfer. */
  transferId: id,
  /** The newly linked device that keeps it; the account's other devices drop it. */
  toDeviceId: z.number().int().positive(),
  /** 0-based index of this part, of `parts`. */
  part: z.number().int().nonnegative(),
  parts: z.number().int().positive().max(100_000),
  contacts: z.array(TransferredContactSchema).max(1000),
  messages: z.array(TransferredMessageSchema).max(10_000),
}).refine((c) => c.part < c.parts, { message: 'a part index below the number of parts', path: ['part'] });

export type TransferredContact = z.infer<typeof TransferredContactSchema>;
export type TransferredMessage = z.infer<typeof TransferredMessageSchema>;
export type HistoryTransferContent = z.infer<typeof HistoryTransferContentSchema>;
