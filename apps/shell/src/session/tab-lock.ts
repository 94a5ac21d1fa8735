// One active tab per device (ARCHITECTURE "Who owns what"): the tab holding this Web Lock owns the
// device's relay connection and store; another tab offers "Use here", which steals the lock, and
// the tab it was stolen from steps back to the same offer.

/** Name of the lock; one per browser profile, since a browser profile is one device. */
export const ACTIVE_TAB_LOCK = 'parley-active-tab';

/** Where this tab stands. */
export type TabStatus = 'acquiring' | 'active' | 'elsewhere';

/** The part of `navigator.locks` used here (so tests can pass a fake). */
export interface LockManagerLike {
  request(name: string, options: LockOptions, callback: (lock: Lock | null) => Promise<unknown> | unknown): Promise<unknown>;
}

/**
 * Holds the active-tab lock while this tab uses the device. `onChange` hears every status change:
 * 'active' when this tab got the lock, 'elsewhere' when another tab has it or took it.
 */
export class ActiveTabLock {
  private status: TabStatus = 'acquiring';
  private release: (() => void) | null = null;
  private generation = 0;

  constructor(
    private readonly locks: LockManagerLike,
    private readonly onChange: (status: TabStatus) => void,
    private readonly name = ACTIVE_TAB_LOCK,
  ) {}

  get current(): TabStatus {
    return this.status;
  }

  /** Takes the lock when no other tab holds it; otherwise reports 'elsewhere'. */
  acquire(): void {
    this.request({ ifAvailable: true });
  }

  /** "Use here": takes the lock from whichever tab holds it. */
  takeOver(): void {
    this.request({ steal: true });
  }

  /** Lets go of the lock (page hidden for good, tests). */
  dispose(): void {
    this.generation++;
    this.release?.();
    this.release = null;
  }

  private request(options: LockOptions): void {
    const generation = ++this.generation;
    this.setStatus('acquiring');
    this.locks
      .request(this.name, options, (lock) => {
        if (lock === null) {
          if (generation === this.generation) this.setStatus('elsewhere');
          return undefined;
        }
        if (generation !== this.generation) return undefined;
        this.setStatus('active');
        // The lock is held for as long as this promise is pending.
        return new Promise<void>((resolve) => {
          this.release = resolve;
        });
      })
      .catch((error: unknown) => {
        // Stolen by another tab ("Use here" there): the held request ends with an AbortError.
        if (generation !== this.generation) return;
        this.release = null;
        if ((error as { name?: string } | null)?.name !== 'AbortError') console.warn('[shell] active-tab lock failed:', error);
        this.setStatus('elsewhere');
      });
  }

  private setStatus(status: TabStatus): void {
    if (status === this.status) return;
    this.status = status;
    this.onChange(status);
  }
}
