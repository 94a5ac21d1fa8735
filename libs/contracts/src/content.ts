/**
 * The content envelope: what is inside a Signal-decrypted message. Its `type` routes it, after
 * decryption, to the app that handles it (chat for text and receipts, call for call signaling and
 * group keys). The server never sees these: they travel encrypted.
 */
import { z } from 'zod';
import { CONTENT_MAX_TEXT_CHARS } from './content-limits.js';
import { ATTACHMENTS_PER_MESSAGE_MAX, AttachmentPointerSchema } from './attachments.js';
import { CallHistorySyncContentSchema } from './call-history-sync.js';
import { HistoryTransferContentSchema } from './history-transfer.js';
import { MESSAGE_ACTION_ROUTES, MESSAGE_ACTION_SCHEMAS, QuoteSchema } from './message-actions.js';
import { TypingContentSchema } from './typing.js';

export { CONTENT_MAX_TEXT_CHARS };

export const TextContentSchema = z
  .object({
    type: z.literal('text'),
    conversationId: z.string().min(1).max(128),
    /** May be empty when the message carries attachments (a photo without a caption). */
    body: z.string().max(CONTENT_MAX_TEXT_CHARS),
    sentAt: z.number().int().nonnegative(),
    /** Files, photos, voice messages (attachments.ts): like Signal's DataMessage, a text's part. */
    attachments: z.array(AttachmentPointerSchema).min(1).max(ATTACHMENTS_PER_MESSAGE_MAX).optional(),
    /** A reply: the message it answers (message-actions.ts). */
    quote: QuoteSchema.optional(),
  })
  .refine((c) => c.body.length > 0 || c.attachments !== undefined, { message: 'a text has a body or attachments', path: ['body'] });

export const ReceiptContentSchema = z.object({
  type: z.literal('receipt'),
  kind: z.enum(['delivered', 'read']),
  messageIds: z.array(z.string().min(1).max(128)).min(1).max(1000),
  at: z.number().int().nonnegative(),
});

/** Offer, answer, ICE and hang-up: opaque to everyone but the two call apps. */
export const CallSignalingContentSchema = z.object({
  type: z.literal('call-signaling'),
  callId: z.string().min(1).max(128),
  signal: z.object({ kind: z.string().min(1).max(64) }).loose(),
});

/**
 * A participant's SFrame sender secret for a group call, sent over the pairwise Signal session to
 * the other participants' devices (the SFU never sees it). `sender` is the participant index in the
 * call (the sender field of its KIDs), `generation` the key generation the secret belongs to:
 * `join` — the sender ratcheted forward for a newcomer, who gets only this generation; `leave` — a
 * fresh secret for those who remain, used after a short delay; `initial` — the sender's first key.
 */
export const GroupKeyContentSchema = z.object({
  type: z.literal('group-key'),
  callId: z.string().min(1).max(64),
  sender: z.number().int().min(0).max(65_535),
  generation: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /** 32 bytes, base64. */
  secret: z.string().length(44).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64'),
  reason: z.enum(['initial', 'join', 'leave']),
});

/** Most members of a group chat. */
export const GROUP_MAX_MEMBERS = 64;

/**
 * A group chat's state (Signal's design: the server knows no groups): its id, name and members,
 * sent by the member who changed it to every member's devices, and to a removed member so they
 * know. Group texts are `text` content with `conversationId` the group id, sender-key encrypted.
 */
export const GroupUpdateContentSchema = z.object({
  type: z.literal('group-update'),
  groupId: z.string().min(1).max(128),
  name: z.string().min(1).max(128),
  /** Member user ids, the sender included (unless they left). */
  members: z.array(z.string().min(1).max(128)).min(1).max(GROUP_MAX_MEMBERS),
  /** Sender's clock, ms: a receiver keeps the latest update. */
  updatedAt: z.number().int().nonnegative(),
});

/** A member device's sender key for a group chat (a SenderKeyDistributionMessage, base64), over the pairwise session. */
export const SenderKeyContentSchema = z.object({
  type: z.literal('sender-key'),
  groupId: z.string().min(1).max(128),
  distribution: z.string().min(1).max(4096),
});

/** Longest title and description of a scheduled call, in characters. */
export const SCHEDULED_CALL_TITLE_MAX_CHARS = 128;
export const SCHEDULED_CALL_DESCRIPTION_MAX_CHARS = 4096;
/** Longest scheduled call, from start to end: a day. */
export const SCHEDULED_CALL_MAX_DURATION_MS = 24 * 60 * 60 * 1000;

/**
 * A call planned ahead (issue 9), sent by its organizer to the conversation's members (1:1: the
 * peer; group: every member, over the pairwise sessions) and to their own other devices. Under
 * the hood a call link: `linkSecret` is the link's root secret (call-links.ts), which travels only
 * inside this end-to-end encrypted content. A receiver keeps the highest `revision` per
 * (organizer, scheduleId); an edit or a cancellation is the same content with a higher revision.
 * `conversationId` is the organizer's: the receiver's 1:1 conversation is the organizer's user id.
 */
export const ScheduledCallContentSchema = z
  .object({
    type: z.literal('scheduled-call'),
    scheduleId: z.string().min(1).max(128),
    conversationId: z.string().min(1).max(128),
    title: z.string().trim().min(1).max(SCHEDULED_CALL_TITLE_MAX_CHARS),
    description: z.string().max(SCHEDULED_CALL_DESCRIPTION_MAX_CHARS),
    /** ms since the epoch, UTC. */
    startsAt: z.number().int().nonnegative(),
    endsAt: z.number().int().nonnegative(),
    /** The organizer's IANA time zone, in which start and end were entered (e.g. `Europe/Moscow`). */
    timeZone: z.string().min(1).max(64),
    /** The call link's root secret, base64url (16 bytes). */
    linkSecret: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'a call link secret'),
    organizer: z.object({ userId: z.string().min(1).max(128), displayName: z.string().max(128) }),
    status: z.enum(['scheduled', 'cancelled']),
    /** 1 when created, +1 on every edit or the cancellation. */
    revision: z.number().int().min(1).max(1_000_000),
    /** Organizer's clock of this revision, ms. */
    updatedAt: z.number().int().nonnegative(),
  })
  .refine((c) => c.endsAt > c.startsAt && c.endsAt - c.startsAt <= SCHEDULED_CALL_MAX_DURATION_MS, {
    message: 'a scheduled call ends after it starts, within a day',
    path: ['endsAt'],
  });

export const ContentSchema = z.discriminatedUnion('type', [
  TextContentSchema,
  ReceiptContentSchema,
  CallSignalingContentSchema,
  GroupKeyContentSchema,
  GroupUpdateContentSchema,
  SenderKeyContentSchema,
  ScheduledCallContentSchema,
  CallHistorySyncContentSchema,
  HistoryTransferContentSchema,
  ...MESSAGE_ACTION_SCHEMAS,
  TypingContentSchema,
]);

export type TextContent = z.infer<typeof TextContentSchema>;
export type ReceiptContent = z.infer<typeof ReceiptContentSchema>;
export type CallSignalingContent = z.infer<typeof CallSignalingContentSchema>;
export type GroupKeyContent = z.infer<typeof GroupKeyContentSchema>;
export type GroupUpdateContent = z.infer<typeof GroupUpdateContentSchema>;
export type SenderKeyContent = z.infer<typeof SenderKeyContentSchema>;
export type ScheduledCallContent = z.infer<typeof ScheduledCallContentSchema>;
export type Content = z.infer<typeof ContentSchema>;
export type ContentType = Content['type'];

/** The bus event each content type is delivered on. */
export const CONTENT_ROUTES = {
  text: 'content.text',
  receipt: 'content.receipt',
  'call-signaling': 'content.call-signaling',
  'group-key': 'content.group-key',
  'group-update': 'content.group-update',
  'sender-key': 'content.sender-key',
  'scheduled-call': 'content.scheduled-call',
  'call-history': 'content.call-history',
  'history-transfer': 'content.history-transfer',
  ...MESSAGE_ACTION_ROUTES,
  typing: 'content.typing',
} as const satisfies Record<ContentType, string>;
