import { type Clock, schedule } from '@parley/clock';
import { TYPING_IDLE_MS, TYPING_STARTED_INTERVAL_MS, type TypingContent } from '@parley/contracts';

/** Sends one typing indicator for a conversation (to whoever should get it). */
export type SendTyping = (conversationId: string, action: TypingContent['action']) => void;

interface Typing {
  /** When "started" last went out. */
  startedAt: number;
  /** Cancels the pending "stopped" that a pause sends. */
  cancelIdle: () => void;
}

/**
 * The sender's side of typing indicators, per conversation: "started" on the first keystroke and
 * again at most every {@link TYPING_STARTED_INTERVAL_MS} while typing goes on (so a receiver that
 * timed out sees it again), "stopped" after {@link TYPING_IDLE_MS} without a keystroke or at once
 * when the draft is sent or cleared. Everything in between sends nothing.
 */
export class TypingSender {
  private readonly typing = new Map<string, Typing>();

  constructor(
    private readonly clock: Clock,
    private readonly send: SendTyping,
  ) {}

  /** The draft of `conversationId` is now `draft` (a keystroke, a paste, a send that emptied it). */
  draftChanged(conversationId: string, draft: string): void {
    if (draft.trim() === '') {
      this.stop(conversationId);
      return;
    }
    const now = this.clock.now();
    const current = this.typing.get(conversationId);
    current?.cancelIdle();
    const startedAt = current === undefined || now - current.startedAt >= TYPING_STARTED_INTERVAL_MS ? now : current.startedAt;
    if (startedAt === now) this.send(conversationId, 'started');
    this.typing.set(conversationId, { startedAt, cancelIdle: schedule(this.clock, TYPING_IDLE_MS, () => this.stop(conversationId)) });
  }

  /** Says "stopped" for a conversation the user was typing in (nothing otherwise). */
  stop(conversationId: string): void {
    const current = this.typing.get(conversationId);
    if (current === undefined) return;
    current.cancelIdle();
    this.typing.delete(conversationId);
    this.send(conversationId, 'stopped');
  }

  /** Stops every conversation's typing (sign-out, the chat going away). */
  stopAll(): void {
    for (const conversationId of [...this.typing.keys()]) this.stop(conversationId);
  }
}
