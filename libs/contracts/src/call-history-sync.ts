/**
 * Call history sync (issue 19): a device tells this user's other devices about the calls it had,
 * so every device lists every call (a call answered on one shows on the others as answered on
 * another device, with its duration) and which missed calls were seen. Sent only to this account's
 * own devices, over the pairwise Signal sessions; a receiver accepts it only from them, keeps
 * each call once by call id, and the latest "seen" mark.
 */
import { z } from 'zod';
import type { CallEntry } from './bus-events.js';

/** Most calls in one sync message (a device sends one per finished call; more is a catch-up). */
export const CALL_HISTORY_SYNC_MAX_ENTRIES = 100;

const id = z.string().min(1).max(128);

/** A finished call as it travels between this user's devices (the bus's CallEntry). */
export const CallEntrySchema = z.object({
  callId: id,
  conversationId: id,
  peer: z.object({ userId: id, displayName: z.string().max(128) }),
  direction: z.enum(['outgoing', 'incoming']),
  media: z.enum(['audio', 'video']),
  outcome: z.enum(['hung-up', 'declined', 'busy', 'missed', 'cancelled', 'answered-elsewhere', 'failed']),
  startedAt: z.number().int().nonnegative(),
  durationMs: z.number().int().nonnegative().nullable(),
  kind: z.enum(['direct', 'group', 'link']).optional(),
  /** A link call's root secret, base64url (16 bytes): only ever inside end-to-end encrypted content. */
  linkSecret: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'a call link secret').optional(),
});

/**
 * Calls this device had (or learnt of), and optionally the moment up to which missed calls were
 * seen on it (the Calls view opened): missed calls that started at or before it no longer count
 * in the badge on any device.
 */
export const CallHistorySyncContentSchema = z.object({
  type: z.literal('call-history'),
  entries: z.array(CallEntrySchema).max(CALL_HISTORY_SYNC_MAX_ENTRIES),
  seenUpTo: z.number().int().nonnegative().optional(),
});

export type CallHistorySyncContent = z.infer<typeof CallHistorySyncContentSchema>;

// The wire form and the bus's CallEntry are one shape: a change to either fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
const sameShape: Same<z.infer<typeof CallEntrySchema>, Mutable<CallEntry>> = true;
void sameShape;
