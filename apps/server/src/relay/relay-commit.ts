/**
 * The relay's write path on SQLite: one transaction that checks each send against the
 * recipient's devices, queues the accepted envelopes and deletes the acknowledged ones. It runs
 * on the main connection, or on a worker thread with its own connection (RelayCommitThread) so
 * the event loop is not blocked while a commit waits for its fsync.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { envelopeOf, packWrites, unpackOutcomes } from './relay-commit-wire.js';
import { type QueueUse, devicesChanged, fitsQuota } from '../storage/send-checks.js';
import type { QueuedEnvelope, RelayWrites, SubmitOutcome } from '../storage/storage.js';

/** Settings every connection to the database uses, the worker's included. */
export function configureConnection(db: Database.Database): void {
  // WAL: readers never block the writer, which matters as the relay queues messages while the
  // API reads them.
  db.pragma('journal_mode = WAL');
  // FULL rather than WAL's usual NORMAL: the relay acknowledges a `send` only once it is stored,
  // so a commit must survive a power cut, not just a crash of this process. NORMAL can lose the
  // last commits on power loss; FULL costs one fsync per commit, which group commit (one
  // transaction per batch of sends, see relay-writer.ts) and the commit thread make affordable.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Another connection (the commit thread, the release CLI) may hold the write lock briefly;
  // wait instead of failing.
  db.pragma('busy_timeout = 5000');
}

/** Prepares the relay's statements on `db` and returns the commit function. */
export function relayCommitter(db: Database.Database): (writes: RelayWrites) => SubmitOutcome[] {
  const accountExists = db.prepare('SELECT 1 FROM accounts WHERE user_id = ?').pluck();
  // With each device, what its queue holds (kept by triggers, migration 6): the quota check is a read of these.
  const devicesOfUser = db.prepare('SELECT device_id AS id, queued_envelopes AS envelopes, queued_bytes AS bytes FROM devices WHERE user_id = ?');
  const alreadyQueued = db
    .prepare('SELECT 1 FROM envelopes WHERE recipient_user = ? AND recipient_device = ? AND sender_user = ? AND sender_device = ? AND message_id = ?')
    .pluck();
  const insertEnvelope = db.prepare(
    `INSERT INTO envelopes (recipient_user, recipient_device, sender_user, sender_device, message_id, type, ciphertext, server_timestamp)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`,
  ).pluck();
  const deleteEnvelope = db.prepare('DELETE FROM envelopes WHERE seq = ? AND recipient_user = ? AND recipient_device = ?');

  // One transaction, so one fsync (synchronous = FULL) covers a whole batch.
  const commit = db.transaction((writes: RelayWrites): SubmitOutcome[] => {
    for (const ack of writes.acks) deleteEnvelope.run(ack.seq, ack.userId, ack.deviceId);
    // A batch often holds several sends to one user: read each user's devices once, and count
    // what this batch queues for them on top of what the rows said.
    const devices = new Map<string, Map<number, QueueUse> | null>();
    const devicesOf = (userId: string) => {
      let queues = devices.get(userId);
      if (queues === undefined) {
        const rows = devicesOfUser.all(userId) as Array<QueueUse & { id: number }>;
        // Every account has a device, so no row means no account (or a half-removed one).
        queues = rows.length > 0 || accountExists.get(userId) ? new Map(rows.map((row) => [row.id, row])) : null;
        devices.set(userId, queues);
      }
      return queues;
    };
    const { quota } = writes;
    /** Whether every message finds room in its device's queue (a retry of one queued already needs none). */
    const fits = (send: RelayWrites['sends'][number], queues: Map<number, QueueUse>) =>
      send.messages.every((message) => {
        if (fitsQuota(queues.get(message.deviceId)!, message, quota)) return true;
        return alreadyQueued.get(send.to, message.deviceId, send.sender.userId, send.sender.deviceId, send.messageId) !== undefined;
      });
    return writes.sends.map((send): SubmitOutcome => {
      const queues = devicesOf(send.to);
      if (queues === null) return { kind: 'unknown_user' };
      const changed = devicesChanged(send, queues.keys());
      if (changed) return changed;
      // All or nothing, like devices_changed: no device gets a copy the others could not.
      if (!fits(send, queues)) return { kind: 'queue_full' };
      const envelopes: QueuedEnvelope[] = [];
      for (const message of send.messages) {
        const seq = insertEnvelope.get(
          send.to,
          message.deviceId,
          send.sender.userId,
          send.sender.deviceId,
          send.messageId,
          message.type,
          message.ciphertext,
          writes.now,
        ) as number | undefined;
        // No row: the same send was queued before (a retry) and is still waiting for its ack.
        if (seq === undefined) continue;
        const use = queues.get(message.deviceId)!;
        use.envelopes += 1;
        use.bytes += message.ciphertext.byteLength;
        envelopes.push(envelopeOf(send, message, seq, writes.now));
      }
      return { kind: 'queued', envelopes };
    });
  });
  // IMMEDIATE: the write lock is taken before the device check reads, so no other connection
  // commits in between (see sqlite-storage.ts).
  return (writes) => commit.immediate(writes);
}

/** The commit thread's answer: packed outcomes (relay-commit-wire.ts) or why the commit failed. */
type Reply = { id: number; outcomes: number[] } | { id: number; error: string };

/** The commit function on a worker thread with its own connection to the same database file. */
export class RelayCommitThread {
  private readonly pending = new Map<number, { resolve(outcomes: number[]): void; reject(error: Error): void }>();
  private nextId = 1;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.outcomes);
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error('the relay commit thread stopped')));
  }

  /** Starts the thread on the database at `path` (already created and migrated). */
  static async start(path: string): Promise<RelayCommitThread> {
    // A plain-JS entry that registers tsx's loader, then imports the TypeScript worker.
    const entry = fileURLToPath(new URL('./relay-commit-worker.mjs', import.meta.url));
    const worker = new Worker(entry, { workerData: { path } });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', (message: { ready?: true; error?: string }) =>
        message.ready ? resolve() : reject(new Error(message.error ?? 'relay commit thread failed to start')),
      );
      worker.once('error', reject);
    });
    return new RelayCommitThread(worker);
  }

  commit(writes: RelayWrites): Promise<SubmitOutcome[]> {
    const id = this.nextId++;
    const packed = packWrites(writes);
    const outcomes = new Promise<number[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, writes: packed }, [packed.ciphertexts]);
    });
    return outcomes.then((numbers) => unpackOutcomes(writes, numbers));
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }
}
