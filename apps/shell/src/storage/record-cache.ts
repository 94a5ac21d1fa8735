/**
 * The last known value per key (`null`: known to be absent), for a store that is the only writer of
 * its database while it lives (see `SignalStoreOptions.cacheRecords`). Filled by reads, and by
 * writes only once IndexedDB committed them, so it never holds what the database does not. Keep
 * bytes or plain data that callers cannot change in place: what it holds is handed out as is.
 */
export class RecordCache<T> {
  private readonly entries = new Map<string, T | null>();

  constructor(private readonly enabled: boolean) {}

  async read(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    if (this.enabled && this.entries.has(key)) return this.entries.get(key) ?? undefined;
    const value = await load();
    if (this.enabled) this.entries.set(key, value ?? null);
    return value;
  }

  async write(key: string, value: T | null, commit: () => Promise<void>): Promise<void> {
    // Whatever happens to the write, the old value may be stale now: forget it first.
    this.entries.delete(key);
    await commit();
    if (this.enabled) this.entries.set(key, value);
  }
}
