/**
 * Caller media made ahead, one per kind of call, so that pressing "Video call" or "Voice call"
 * sends the offer at once: the connection, its SFrame worker, transceivers and transforms, the
 * offer and its host candidates are ready before the click (see `RtcCallMedia.prepareOffer`).
 * Nothing is captured or sent before the click: the devices open on it, as without this.
 *
 * Made when the page is idle and no call is on, and again after one was used (once its call
 * ended), when one is older than READY_MEDIA_MAX_AGE_MS (its TURN allocation and addresses may be
 * stale: the app calls `warm` on that period) or when the network changes (`discard`). A stale one
 * is never handed out: the call then makes its media as it would without this.
 */
import type { CallMedia } from '@parley/contracts';
import type { RtcCallMedia } from './call-media.js';
import { type IdleScheduler, whenIdle } from './spare-pool.js';

export const READY_MEDIA_MAX_AGE_MS = 5 * 60_000;

/** The part of `RtcCallMedia` this needs (tests use fakes). */
export type ReadyMedia = Pick<RtcCallMedia, 'prepareOffer' | 'close' | 'connection$'>;

export interface ReadyCallerMediaDeps<M extends ReadyMedia> {
  /** A new caller media for `kind` (its offer not started). */
  readonly make: (kind: CallMedia) => M;
  /** Whether a call is on that this cannot see (incoming, group): nothing is made meanwhile. */
  readonly busy: () => boolean;
  readonly kinds?: readonly CallMedia[];
  readonly idle?: IdleScheduler;
  readonly now?: () => number;
}

export class ReadyCallerMedia<M extends ReadyMedia = RtcCallMedia> {
  private readonly ready = new Map<CallMedia, { readonly media: M; readonly madeAt: number }>();
  /** Handed out and not closed yet: their calls are on. */
  private outstanding = 0;
  private cancelPending: (() => void) | null = null;
  private stopped = false;
  private readonly kinds: readonly CallMedia[];
  private readonly idle: IdleScheduler;
  private readonly now: () => number;

  constructor(private readonly deps: ReadyCallerMediaDeps<M>) {
    this.kinds = deps.kinds ?? ['video', 'audio'];
    this.idle = deps.idle ?? whenIdle;
    this.now = deps.now ?? Date.now;
  }

  /** Whether a call that took one of these is on. */
  get busy(): boolean {
    return this.outstanding > 0;
  }

  /** Once the page is idle: makes each kind that is missing or too old, unless a call is on. */
  warm(): void {
    if (this.stopped || this.cancelPending) return;
    this.cancelPending = this.idle(() => {
      this.cancelPending = null;
      if (this.stopped || this.outstanding > 0 || this.deps.busy()) return;
      for (const kind of this.kinds) {
        const entry = this.ready.get(kind);
        if (entry && this.fresh(entry.madeAt)) continue;
        entry?.media.close();
        this.make(kind);
      }
    });
  }

  /** The ready media for a call of `kind`, or null (none, or too old: the call makes its own). */
  take(kind: CallMedia): M | null {
    const entry = this.ready.get(kind);
    if (!entry) return null;
    this.ready.delete(kind);
    if (!this.fresh(entry.madeAt)) {
      entry.media.close();
      return null;
    }
    this.outstanding += 1;
    // The connection completes when the call closes its media: then the next one can be made.
    entry.media.connection$.subscribe({
      complete: () => {
        this.outstanding -= 1;
        this.warm();
      },
    });
    return entry.media;
  }

  /** The network changed: the ready candidates may not reach anyone any more. */
  discard(): void {
    for (const { media } of this.ready.values()) media.close();
    this.ready.clear();
    this.warm();
  }

  /** The app unmounts: closes what is ready and makes no more (media handed out stay with their calls). */
  stop(): void {
    this.stopped = true;
    this.cancelPending?.();
    this.cancelPending = null;
    for (const { media } of this.ready.values()) media.close();
    this.ready.clear();
  }

  private make(kind: CallMedia): void {
    const media = this.deps.make(kind);
    this.ready.set(kind, { media, madeAt: this.now() });
    media.prepareOffer().catch(() => {
      // Not handed out yet: drop it (a call then makes its own, which reports the failure).
      if (this.ready.get(kind)?.media !== media) return;
      this.ready.delete(kind);
      media.close();
    });
  }

  private fresh(madeAt: number): boolean {
    return this.now() - madeAt < READY_MEDIA_MAX_AGE_MS;
  }
}
