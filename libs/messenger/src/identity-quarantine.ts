import type { WallClock } from '@parley/clock';
import type { DeliverFrame } from '@parley/contracts';
import type { ContactDirectory } from './contact-directory.js';
import type { HistoryStore } from './history-store.js';
import { KeyedQueue } from './keyed-queue.js';

/** Most messages held back per contact while its identity change waits for the user. */
export const MAX_QUARANTINED_PER_CONTACT = 100;
/** Most messages held back over every contact (a flood from many new identities stays bounded). */
export const MAX_QUARANTINED = 500;

/**
 * Messages of contacts whose identity changed, kept (in the store, before the relay acks them)
 * until the user decides. Bounded per contact and overall: past a bound the oldest go, and the user
 * is told how many (a `held-messages-dropped` notice).
 */
export class IdentityQuarantine {
  // One queue for the whole list: every change rewrites it.
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly history: HistoryStore,
    private readonly directory: ContactDirectory,
    private readonly clock: WallClock,
  ) {}

  /** Holds a frame (a redelivery once). */
  async hold(frame: DeliverFrame): Promise<void> {
    const dropped = await this.queue.run('held', async () => {
      const earlier = await this.history.listQuarantined();
      // A redelivery (the ack was lost) is held once.
      if (sameFrame(frame, earlier)) return [];
      const { kept, dropped } = boundQuarantine([...earlier, frame]);
      await this.history.putQuarantined(kept);
      return dropped;
    });
    if (dropped.length === 0) return;
    const counts = new Map<string, number>();
    for (const gone of dropped) counts.set(gone.from.userId, (counts.get(gone.from.userId) ?? 0) + 1);
    const at = this.clock.now();
    await this.directory.editNotices((notices) => [
      ...notices.filter((notice) => !(notice.kind === 'held-messages-dropped' && counts.has(notice.userId))),
      ...[...counts].map(([userId, count]) => {
        const before = notices.find((notice) => notice.kind === 'held-messages-dropped' && notice.userId === userId);
        return { kind: 'held-messages-dropped' as const, userId, count: count + (before?.kind === 'held-messages-dropped' ? before.count : 0), at };
      }),
    ]);
  }

  /** The frames held from `userId`, oldest first. */
  async heldFrom(userId: string): Promise<DeliverFrame[]> {
    return (await this.history.listQuarantined()).filter((frame) => frame.from.userId === userId);
  }

  /** Forgets frames once they were handled. */
  async release(frames: readonly DeliverFrame[]): Promise<void> {
    await this.queue.run('held', async () => this.history.putQuarantined((await this.history.listQuarantined()).filter((frame) => !sameFrame(frame, frames))));
  }
}

/** Whether `list` holds this frame already (the same envelope, from the same device). */
function sameFrame(frame: DeliverFrame, list: readonly DeliverFrame[]): boolean {
  return list.some((other) => other.id === frame.id && other.from.userId === frame.from.userId && other.from.deviceId === frame.from.deviceId);
}

/** Held messages within MAX_QUARANTINED_PER_CONTACT and MAX_QUARANTINED, the oldest dropped first. */
export function boundQuarantine(frames: readonly DeliverFrame[]): { kept: DeliverFrame[]; dropped: DeliverFrame[] } {
  const perContact = new Map<string, number>();
  for (const frame of frames) perContact.set(frame.from.userId, (perContact.get(frame.from.userId) ?? 0) + 1);
  const dropped: DeliverFrame[] = [];
  let kept = frames.filter((frame) => {
    const left = perContact.get(frame.from.userId)!;
    if (left <= MAX_QUARANTINED_PER_CONTACT) return true;
    perContact.set(frame.from.userId, left - 1);
    dropped.push(frame);
    return false;
  });
  if (kept.length > MAX_QUARANTINED) {
    dropped.push(...kept.slice(0, kept.length - MAX_QUARANTINED));
    kept = kept.slice(kept.length - MAX_QUARANTINED);
  }
  return { kept, dropped };
}
