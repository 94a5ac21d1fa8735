/**
 * Frames on the one relay WebSocket between a device and the server. Payloads are opaque
 * ciphertext (base64): the server routes and queues them, never reads them.
 */
import { z } from 'zod';

export const RELAY_PATH = '/ws';
export const RELAY_MAX_FRAME_BYTES = 256 * 1024;

const id = z.string().min(1).max(128);
const ciphertext = z.string().min(1).max(200_000).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'base64');

/** First frame on every connection. */
export const AuthFrameSchema = z.object({ t: z.literal('auth'), token: z.string().min(1).max(512) });

export const SendFrameSchema = z.object({
  t: z.literal('send'),
  /** Client message id: the recipient de-duplicates on it. */
  id,
  to: id,
  messages: z
    .array(z.object({ deviceId: z.number().int().positive(), ciphertext }))
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
]);

export const ReadyFrameSchema = z.object({ t: z.literal('ready'), userId: id, deviceId: z.number().int().positive() });
export const DeliverFrameSchema = z.object({
  t: z.literal('deliver'),
  id,
  from: z.object({ userId: id, deviceId: z.number().int().positive() }),
  ciphertext,
});
/** The server's answer to a `send`: accepted, or why not. */
export const SendResultFrameSchema = z.object({
  t: z.literal('result'),
  ref: id,
  ok: z.boolean(),
  code: z.string().max(64).optional(),
  message: z.string().max(500).optional(),
});
export const ErrorFrameSchema = z.object({ t: z.literal('error'), code: z.string().max(64), message: z.string().max(500) });
export const PongFrameSchema = z.object({ t: z.literal('pong') });

export const ServerFrameSchema = z.discriminatedUnion('t', [
  ReadyFrameSchema,
  DeliverFrameSchema,
  SendResultFrameSchema,
  ErrorFrameSchema,
  PongFrameSchema,
]);

export type ClientFrame = z.infer<typeof ClientFrameSchema>;
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
export type DeliverFrame = z.infer<typeof DeliverFrameSchema>;
export type SendFrame = z.infer<typeof SendFrameSchema>;

/** Close codes the server uses; 4xxx is the application range of RFC 6455. */
export const RELAY_CLOSE = {
  authFailed: 4001,
  badFrame: 4002,
  replaced: 4003,
} as const;
