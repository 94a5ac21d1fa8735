/**
 * Frames on the one relay WebSocket between a device and the server. Payloads are opaque
 * ciphertext (base64): the server routes and queues them, never reads them.
 */
import { z } from 'zod';
import { SfuEventFrameSchema, SfuRequestFrameSchema, SfuResultFrameSchema } from './sfu.js';

export const RELAY_PATH = '/ws';
export const RELAY_MAX_FRAME_BYTES = 256 * 1024;

const id = z.string().min(1).max(128);
const ciphertext = z.string().min(1).max(200_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/** First frame on every connection. */
export const AuthFrameSchema = z.object({ t: z.literal('auth'), token: z.string().min(1).max(512) });

/**
 * libsignal's CiphertextMessageType: 2 a SignalMessage, 3 a PreKeySignalMessage, 7 a
 * SenderKeyMessage (a group text, the same bytes to every member device).
 */
export const CiphertextTypeSchema = z.union([z.literal(2), z.literal(3), z.literal(7)]);

/**
 * One message to every device of one user: `to` is the recipient, or the sender's own user id for
 * the copy to its other devices. The server accepts it only when `messages` covers exactly the
 * current devices (own sending device excluded), else answers `devices_changed` with the lists.
 * Sending the same `id` again from the same device is idempotent (a retry, not a new message).
 */
export const SendFrameSchema = z.object({
  t: z.literal('send'),
  /** Client message id: the recipient de-duplicates on it. */
  id,
  to: id,
  messages: z
    .array(z.object({ deviceId: z.number().int().positive(), type: CiphertextTypeSchema, ciphertext }))
    .min(1)
    .max(64),
});

export const AckFrameSchema = z.object({ t: z.literal('ack'), id });
export const PingFrameSchema = z.object({ t: z.literal('ping') });

export const ClientFrameSchema = z.discriminatedUnion('t', [
  AuthFrameSchema,
  SendFrameSchema,
  AckFrameSchema,
  PingFrameSchema,
  /** Group calls: the device asks the server to drive the SFU for it (sfu.ts). */
  SfuRequestFrameSchema,
]);

export const ReadyFrameSchema = z.object({ t: z.literal('ready'), userId: id, deviceId: z.number().int().positive() });
/** A queued envelope for this device; kept by the server until this device acks `id`. */
export const DeliverFrameSchema = z.object({
  t: z.literal('deliver'),
  /** Server envelope id: stable across redeliveries; what the device acks and de-duplicates on. */
  id,
  /** The sender's client message id (the same on every device the message went to). */
  messageId: id.optional(),
  from: z.object({ userId: id, deviceId: z.number().int().positive() }),
  type: CiphertextTypeSchema.optional(),
  ciphertext,
  /** When the server accepted it, ms since the epoch. */
  serverTimestamp: z.number().int().nonnegative().optional(),
});
/** The server's answer to a `send`: accepted, or why not. */
export const SendResultFrameSchema = z.object({
  t: z.literal('result'),
  ref: id,
  ok: z.boolean(),
  code: z.string().max(64).optional(),
  message: z.string().max(500).optional(),
  /** With `devices_changed`: devices to add, devices to drop, devices whose session is stale. */
  missing: z.array(z.number().int().positive()).optional(),
  extra: z.array(z.number().int().positive()).optional(),
  stale: z.array(z.number().int().positive()).optional(),
});
export const ErrorFrameSchema = z.object({ t: z.literal('error'), code: z.string().max(64), message: z.string().max(500) });
export const PongFrameSchema = z.object({ t: z.literal('pong') });
/** This device's one-time prekeys ran low: upload more (PUT /api/keys). */
export const PreKeysLowFrameSchema = z.object({ t: z.literal('prekeys-low'), oneTimePreKeys: z.number().int(), kyberOneTimePreKeys: z.number().int() });
/** A new device asks to be linked to this account (see accounts-api.ts, device linking). */
export const LinkRequestFrameSchema = z.object({
  t: z.literal('link-request'),
  linkId: z.string().max(64),
  requestId: z.string().max(64),
  ephemeralPublicKey: z.string().max(64),
  mac: z.string().max(64),
});

export const ServerFrameSchema = z.discriminatedUnion('t', [
  ReadyFrameSchema,
  DeliverFrameSchema,
  SendResultFrameSchema,
  ErrorFrameSchema,
  PongFrameSchema,
  PreKeysLowFrameSchema,
  LinkRequestFrameSchema,
  SfuResultFrameSchema,
  SfuEventFrameSchema,
]);

export type ClientFrame = z.infer<typeof ClientFrameSchema>;
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
export type DeliverFrame = z.infer<typeof DeliverFrameSchema>;
export type SendFrame = z.infer<typeof SendFrameSchema>;
export type SendResultFrame = z.infer<typeof SendResultFrameSchema>;
export type LinkRequestFrame = z.infer<typeof LinkRequestFrameSchema>;

/**
 * Codes of a `result` with ok: false; `server_error`: the server could not store it, send it again;
 * `queue_full`: a recipient device has too much undelivered (it has not connected for long).
 */
export const SEND_ERROR_CODES = ['devices_changed', 'unknown_user', 'queue_full', 'rate_limited', 'too_large', 'bad_frame', 'not_authenticated', 'server_error'] as const;

