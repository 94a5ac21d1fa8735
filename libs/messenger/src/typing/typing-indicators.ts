import { type Clock, schedule } from '@parley/clock';
import { TYPING_DISPLAY_TIMEOUT_MS, TYPING_STALE_MS, type TypingContent } from '@parley/contracts';
import { BehaviorSubject, distinctUntilChanged, map, type Observable } from 'rxjs';

const NOBODY: readonly string[] = [];

/**
 * The receiver's side of typing indicators: who is typing in which conversation, in memory only.
 * Someone stays shown until their "stopped", or {@link TYPING_DISPLAY_TIMEOUT_MS} after their last
 * "started" when the "stopped" never comes (they closed the tab, lost the network). An indicator
 * older than {@link TYPING_STALE_MS} is ignored: it was queued while this device was offline.
 */
export class TypingIndicators {
  /** conversation id → typing user id → cancels their time-out. */
  private readonly typing = new Map<string, Map<string, () => void>>();
  private readonly state = new BehaviorSubject<ReadonlyMap<string, readonly string[]>>(new Map());

  constructor(private readonly clock: Clock) {}

  /**
   * An indicator from `userId` in `conversationId`; `sentAt` is when it left (the server's time
   * when it has one, else the sender's clock). False when it was ignored as stale.
   */
  receive(conversationId: string, userId: string, action: TypingContent['action'], sentAt: number): boolean {
    if (this.clock.now() - sentAt > TYPING_STALE_MS) return false;
    const users = this.typing.get(conversationId) ?? new Map<string, () => void>();
    users.get(userId)?.();
    if (action === 'started') {
      users.set(userId, schedule(this.clock, TYPING_DISPLAY_TIMEOUT_MS, () => this.forget(conversationId, userId)));
      this.typing.set(conversationId, users);
      this.publish();
    } else {
      this.forget(conversationId, userId);
    }
    return true;
  }

  /** `userId` no longer types in `conversationId` (their "stopped", their message arrived, or the time-out). */
  forget(conversationId: string, userId: string): void {
    const users = this.typing.get(conversationId);
    const cancel = users?.get(userId);
    if (users === undefined || cancel === undefined) return;
    cancel();
    users.delete(userId);
    if (users.size === 0) this.typing.delete(conversationId);
    this.publish();
  }

  /** Who types in `conversationId` now (user ids, in the order they started); emits on every change. */
  typing$(conversationId: string): Observable<readonly string[]> {
    return this.state.pipe(
      map((all) => all.get(conversationId) ?? NOBODY),
      distinctUntilChanged((a, b) => a.length === b.length && a.every((id, i) => id === b[i])),
    );
  }

  /** Ends the stream and every time-out (sign-out). */
  close(): void {
    for (const users of this.typing.values()) for (const cancel of users.values()) cancel();
    this.typing.clear();
    this.state.complete();
  }

  private publish(): void {
    this.state.next(new Map([...this.typing].map(([conversationId, users]) => [conversationId, [...users.keys()]])));
  }
}
