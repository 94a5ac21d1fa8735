/**
 * Group commit for the relay: every `send` and `ack` that arrives within one turn of the event
 * loop is written in ONE transaction, so one fsync covers them all. A `send` is answered only
 * after that transaction committed, so the durability promise (an acknowledged message survives
 * a crash, see the synchronous setting in sqlite-storage.ts) holds for every message of a batch.
 */
import type { WallClock } from '@parley/clock';
import type { DeviceAddress, OutgoingMessage, QueuedEnvelope, QueueQuota, RelayQueueStore, SubmitOutcome } from '../storage/storage.js';

interface PendingSend {
  message: OutgoingMessage;
  resolve(outcome: SubmitOutcome): void;
  reject(error: unknown): void;
}

/** Bounds a transaction's size, so one huge batch does not stall the event loop for long. */
const MAX_SENDS_PER_COMMIT = 4096;

export class RelayWriter {
  private sends: PendingSend[] = [];
  private acks: Array<DeviceAddress & { seq: number }> = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly storage: RelayQueueStore,
    private readonly clock: WallClock,
    /**
     * Called after each commit with the envelopes it queued, in queue order. When it returns a
     * promise (other nodes being told), the batch's sends are answered once it settled: a sender
     * acknowledged means the node holding the recipient was told, even if this node dies next.
     */
    private readonly onQueued: (envelopes: QueuedEnvelope[]) => void | Promise<void>,
    /** Each recipient device's queue quota (disk-limits.ts). */
    private readonly quota: QueueQuota,
  ) {}

  /** Queues a send for the next commit; resolves once it is durable (or refused). */
  submit(message: OutgoingMessage): Promise<SubmitOutcome> {
    return new Promise((resolve, reject) => {
      this.sends.push({ message, resolve, reject });
      this.schedule();
    });
  }

  /** Deletes an acknowledged envelope with the next commit. Losing an ack to a crash only redelivers. */
  ack(device: DeviceAddress, seq: number): void {
    this.acks.push({ userId: device.userId, deviceId: device.deviceId, seq });
    this.schedule();
  }

  /** Resolves once everything submitted so far is committed. */
  async drain(): Promise<void> {
    while (this.flushing || this.sends.length > 0 || this.acks.length > 0) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.flushing) void this.flush();
    });
  }

  private flush(): Promise<void> {
    const run = async () => {
      let commit = this.startCommit();
      while (commit) {
        const { sends, result } = await commit;
        // The next batch goes to the commit thread before this one is answered and delivered,
        // so its fsync overlaps that work instead of waiting for it. Batches still commit, and
        // are answered, one after the other in submission order.
        commit = this.startCommit();
        if (result.failed) {
          for (const send of sends) send.reject(result.error);
          continue;
        }
        const queued = result.outcomes.flatMap((outcome) => (outcome.kind === 'queued' ? outcome.envelopes : []));
        const told = queued.length > 0 ? this.onQueued(queued) : undefined;
        if (told) await told;
        result.outcomes.forEach((outcome, index) => sends[index]!.resolve(outcome));
      }
    };
    this.flushing = run().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Commits what is waiting as one batch; null when nothing is. */
  private startCommit(): Promise<{ sends: PendingSend[]; result: CommitResult }> | null {
    if (this.sends.length === 0 && this.acks.length === 0) return null;
    const sends = this.sends.splice(0, MAX_SENDS_PER_COMMIT);
    const acks = this.acks.splice(0);
    return this.storage.commitRelayWrites({ sends: sends.map((s) => s.message), acks, now: this.clock.now(), quota: this.quota }).then(
      (outcomes) => ({ sends, result: { failed: false, outcomes } }),
      (error: unknown) => ({ sends, result: { failed: true, error } }),
    );
  }
}

type CommitResult = { failed: false; outcomes: SubmitOutcome[] } | { failed: true; error: unknown };
