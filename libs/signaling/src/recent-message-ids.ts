/**
 * The ids of the last N delivered messages, to drop redeliveries. The server redelivers whatever
 * was not acked (an ack lost in a drop, a reconnect mid-delivery), so duplicates are normal; the
 * window is bounded because a device may stay connected for weeks.
 */
export class RecentMessageIds {
  // A Set iterates in insertion order, so its first entry is always the oldest.
  private readonly ids = new Set<string>();

  constructor(readonly capacity: number = 4096) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('RecentMessageIds: capacity must be a positive integer');
  }

  /** Whether `id` was remembered and not yet evicted. */
  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id`, forgetting the oldest one when full. */
  remember(id: string): void {
    if (this.ids.has(id)) return;
    if (this.ids.size >= this.capacity) {
      const oldest = this.ids.values().next();
      if (!oldest.done) this.ids.delete(oldest.value);
    }
    this.ids.add(id);
  }

  /** How many ids are remembered now. */
  get size(): number {
    return this.ids.size;
  }
}
