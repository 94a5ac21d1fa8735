/**
 * SFU requests waiting for their `sfu-result` (group calls, libs/contracts sfu.ts). Unlike sends,
 * they are never queued or retried: each one is about the media connections of this moment, so a
 * request made while the relay is down, or in flight when it drops, fails at once and the call
 * decides what to do (usually: join again once the relay is back).
 */
import type { SfuAnswers, SfuRequest, SfuResultFrame } from '@parley/contracts';
import type { Clock, TimerHandle } from '@parley/clock';
import { RelayError } from './errors.js';

interface PendingSfuRequest {
  readonly op: SfuRequest['op'];
  readonly resolve: (body: unknown) => void;
  readonly reject: (error: RelayError) => void;
  readonly timer: TimerHandle;
}

export class SfuRequests {
  private readonly pending = new Map<string, PendingSfuRequest>();
  private nextId = 1;

  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {}

  /** Registers a request about to be written; returns its frame id and the answer's promise. */
  open<Op extends SfuRequest['op']>(op: Op): { id: string; answer: Promise<SfuAnswers[Op]> } {
    const id = `sfu-${this.nextId++}`;
    const answer = new Promise<SfuAnswers[Op]>((resolve, reject) => {
      const timer = this.clock.setTimeout(() => {
        if (!this.pending.delete(id)) return;
        reject(new RelayError('sfu-timeout', `no answer to the SFU ${op} request within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.pending.set(id, { op, resolve: resolve as (body: unknown) => void, reject, timer });
    });
    return { id, answer };
  }

  /** Settles the request a result answers; a result for nothing pending (timed out) is ignored. */
  settle(frame: SfuResultFrame): void {
    const request = this.pending.get(frame.ref);
    if (!request) return;
    this.pending.delete(frame.ref);
    this.clock.clearTimeout(request.timer);
    if (frame.ok) {
      request.resolve(frame.body ?? {});
    } else {
      const message = frame.message ?? `the server refused the SFU ${request.op} request`;
      request.reject(new RelayError('sfu-rejected', message, { serverCode: frame.code }));
    }
  }

  /** Fails every pending request: the connection they were written on is gone. */
  failAll(code: 'offline' | 'closed', message: string): void {
    for (const [id, request] of this.pending) {
      this.pending.delete(id);
      this.clock.clearTimeout(request.timer);
      request.reject(new RelayError(code, message));
    }
  }
}
