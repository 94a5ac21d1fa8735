/**
 * The last known value per key (`null`: known to be absent), for a store that is the only writer of
 * its database while it lives (see `SignalStoreOptions.cacheRecords`). Filled by reads, and by
 * writes once IndexedDB committed them. Keep bytes or plain data that callers cannot change in
 * place: what it holds is handed out as is.
 *
 * A read during a write of the same key answers the value being written, at once: the session
 * cipher starts the next operation on a session while the previous one's state commits (see
 * session-cipher.ts). What such a read derives is only ever persisted behind that write: a write of
 * a key commits after the previous write of the key did, and not at all if that one failed, so the
 * database never holds a state built on one that did not land (say a chain that consumed the key
 * of a message whose own write failed, which the relay then delivers again as a duplicate).
 */
export class RecordCache<T> {
  private readonly entries = new Map<string, T | null>();
  /** Writes not committed yet, by key: the latest, with the value it writes. */
  private readonly writing = new Map<string, { readonly value: T | null; readonly committed: Promise<void> }>();
  /** Writes started per key, so a database read that a write overtook does not fill in its old value. */
  private readonly writes = new Map<string, number>();

  constructor(private readonly enabled: boolean) {}

  async read(key: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    if (this.enabled) {
      const pending = this.writing.get(key);
      if (pending) return pending.value ?? undefined;
      if (this.entries.has(key)) return this.entries.get(key) ?? undefined;
    }
    const before = this.writes.get(key) ?? 0;
    const value = await load();
    if (this.enabled && (this.writes.get(key) ?? 0) === before) this.entries.set(key, value ?? null);
    return value;
  }

  async write(key: string, value: T | null, commit: () => Promise<void>): Promise<void> {
    // Whatever happens to the write, the old value may be stale now: forget it first.
    this.entries.delete(key);
    if (!this.enabled) return commit();
    this.writes.set(key, (this.writes.get(key) ?? 0) + 1);
    const previous = this.writing.get(key)?.committed;
    const entry = { value, committed: previous ? previous.then(commit) : commit() };
    this.writing.set(key, entry);
    try {
      await entry.committed;
      if (this.writing.get(key) === entry) this.entries.set(key, value);
    } finally {
      if (this.writing.get(key) === entry) this.writing.delete(key);
    }
  }
}
