import type { SendFrame } from '@parley/contracts';
import type { TimerHandle } from '@parley/clock';
import type { RelayError } from './errors.js';

/** One `send` the caller is waiting on. */
export interface PendingSend {
  readonly frame: SendFrame;
  readonly resolve: () => void;
  readonly reject: (error: RelayError) => void;
  /** The result timeout, armed while the frame is on the wire. */
  timer: TimerHandle | null;
}

/**
 * Sends the caller is waiting on, in order: queued ones wait for the next `ready`, in-flight ones
 * were written and wait for the server's `result`. When a connection drops, in-flight sends go
 * back to the front of the queue: the server may not have taken them, and resending is safe
 * because recipients de-duplicate on the message id.
 */
export class Outbox {
  private queued: PendingSend[] = [];
  // A Map keeps insertion order, which is the order the frames were written.
  private readonly inFlight = new Map<string, PendingSend>();

  /** Whether a send with this message id is still waiting (queued or in flight). */
  has(id: string): boolean {
    return this.inFlight.has(id) || this.queued.some((send) => send.frame.id === id);
  }

  /** Adds a send behind every earlier one. */
  enqueue(send: PendingSend): void {
    this.queued.push(send);
  }

  /** Takes every queued send, oldest first, and counts them in flight. */
  drain(): PendingSend[] {
    const drained = this.queued;
    this.queued = [];
    for (const send of drained) this.inFlight.set(send.frame.id, send);
    return drained;
  }

  /** Removes and returns the in-flight send a `result` (or a timeout) refers to. */
  settle(id: string): PendingSend | undefined {
    const send = this.inFlight.get(id);
    this.inFlight.delete(id);
    return send;
  }

  /** Puts every in-flight send back at the front of the queue, in the order it was written. */
  requeueInFlight(): PendingSend[] {
    const requeued = [...this.inFlight.values()];
    this.inFlight.clear();
    this.queued = [...requeued, ...this.queued];
    return requeued;
  }

  /** Empties the outbox, handing back everything that was waiting, oldest first. */
  clear(): PendingSend[] {
    const all = [...this.inFlight.values(), ...this.queued];
    this.inFlight.clear();
    this.queued = [];
    return all;
  }

  /** How many sends are waiting, queued or in flight. */
  get size(): number {
    return this.inFlight.size + this.queued.length;
  }
}
