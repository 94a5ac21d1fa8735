/**
 * The last known value per key (`null`: known to be absent), for a store that is the only writer of
 * its database while it lives (see `SignalStoreOptions.cacheRecords`). Filled by reads, and by
 * writes only once IndexedDB committed them, so it never holds what the database does not. Keep
 * bytes or plain data that callers cannot change in place: what it holds is handed out as is.
 */
export class RecordCache<T> {
  private readonly entries = new Map<string, T | null>();
  /** Writes not committed yet, by key. */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly enabled: boolean) {}

  async read(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    // A read during a write of the same key waits for it: a database read would wait for the
    // commit too, and then this one usually answers from memory.
    const pending = this.enabled ? this.writing.get(key) : undefined;
    if (pending) await pending.catch(() => {});
    if (this.enabled && this.entries.has(key)) return this.entries.get(key) ?? undefined;
    const value = await load();
    if (this.enabled && !this.writing.has(key)) this.entries.set(key, value ?? null);
    return value;
  }

  async write(key: string, value: T | null, commit: () => Promise<void>): Promise<void> {
    // Whatever happens to the write, the old value may be stale now: forget it first.
    this.entries.delete(key);
    const committed = commit();
    if (this.enabled) this.writing.set(key, committed);
    try {
      await committed;
      if (this.enabled && this.writing.get(key) === committed) this.entries.set(key, value);
    } finally {
      if (this.writing.get(key) === committed) this.writing.delete(key);
    }
  }
}
