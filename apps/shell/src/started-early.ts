// Work the shell starts before the part that needs it has rendered (issue 20): the manifest's
// request, its verified answer, the chat's load. The part takes it once; whoever asks later (a
// refresh, a remount) starts afresh. No imports: the entry uses this module.

/** Work started early, by key; each result is handed over once. */
export class StartedEarly<T> {
  private readonly started = new Map<string, T>();

  /** Starts `work` for `key`; what was waiting under it before is dropped (a fresher start wins). */
  start(key: string, work: () => T): void {
    this.started.set(key, work());
  }

  /** Whether work for `key` waits to be taken. */
  has(key: string): boolean {
    return this.started.has(key);
  }

  /** What was started for `key`, once (later calls get undefined). */
  take(key: string): T | undefined {
    const started = this.started.get(key);
    this.started.delete(key);
    return started;
  }
}
