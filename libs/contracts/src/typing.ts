/**
 * Typing indicators (Signal's TypingMessage): "started" while someone writes in a conversation,
 * "stopped" when they pause, send or clear. Sent sparingly and never stored: the receiver keeps
 * them in memory only, ignores stale ones and times them out itself.
 */
import { z } from 'zod';

/**
 * Groups larger than this get no typing indicators: each one goes pairwise to every member's
 * devices, so its cost grows with the group, and in a big group "12 people are typing…" tells
 * nobody anything. 32 is also the largest group call (ARCHITECTURE "Calls").
 */
export const TYPING_MAX_GROUP_MEMBERS = 32;

/** Throttle: a sender repeats "started" no more often than this while the user keeps typing. */
export const TYPING_STARTED_INTERVAL_MS = 4_000;

/** A sender says "stopped" after this long without a keystroke. */
export const TYPING_IDLE_MS = 3_000;

/** A receiver stops showing someone as typing after this long without a fresh "started" (two missed repeats). */
export const TYPING_DISPLAY_TIMEOUT_MS = 9_000;

/**
 * A receiver ignores an indicator older than this (the relay has no "online only" delivery: one
 * queued for an offline device arrives when it comes back, long after the typing ended).
 */
export const TYPING_STALE_MS = 15_000;

export const TypingContentSchema = z.object({
  type: z.literal('typing'),
  action: z.enum(['started', 'stopped']),
  /** A group chat's id; absent in a 1:1 chat (the conversation is the sender). */
  groupId: z.string().min(1).max(128).optional(),
  /** Sender's clock, ms. */
  at: z.number().int().nonnegative(),
});

export type TypingContent = z.infer<typeof TypingContentSchema>;
