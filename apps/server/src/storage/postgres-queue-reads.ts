/**
 * Reads of device queues on PostgreSQL, gathered: every `pendingEnvelopes` asked for while a read
 * is under way (or in the same turn of the event loop) goes to the database as ONE statement.
 * With several nodes every delivery is a read (another node's "look again", or a commit while
 * queues are shared), one per device; gathered, a busy node pays one round trip for a whole batch
 * of devices instead of one each. Each device's rows are still its queue after its position, in
 * seq order, as one statement saw them: what a single read would have returned at that moment.
 */
import type { DeviceAddress, QueuedEnvelope } from './storage.js';
import type { Queryable } from './postgres-database.js';
import { type EnvelopeRow, toEnvelope } from './stored-rows.js';

interface QueueRead {
  device: DeviceAddress;
  afterSeq: number;
  limit: number;
  resolve(envelopes: QueuedEnvelope[]): void;
  reject(error: unknown): void;
}

// The recipient index (recipient_user, recipient_device, seq) answers each device's part.
const READ_QUEUES = `SELECT r.n::int AS n, e.seq, e.sender_user AS "senderUser", e.sender_device AS "senderDevice", e.message_id AS "messageId", e.type,
    e.ciphertext, e.server_timestamp AS "serverTimestamp"
  FROM unnest($1::text[], $2::int[], $3::bigint[], $4::int[]) WITH ORDINALITY AS r (user_id, device_id, after_seq, max_rows, n)
  CROSS JOIN LATERAL (
    SELECT seq, sender_user, sender_device, message_id, type, ciphertext, server_timestamp FROM envelopes
    WHERE recipient_user = r.user_id AND recipient_device = r.device_id AND seq > r.after_seq ORDER BY seq LIMIT r.max_rows
  ) e
  ORDER BY r.n, e.seq`;

/** Gathers queue reads into one statement at a time. */
export class GatheredQueueReads {
  private waiting: QueueRead[] = [];
  private reading = false;
  private scheduled = false;

  /** `database` is asked for a connection per gathered read (the shared pool). */
  constructor(private readonly database: () => Queryable) {}

  /** Queued envelopes of `device` after `afterSeq`, oldest first, at most `limit`. */
  read(device: DeviceAddress, afterSeq: number, limit: number): Promise<QueuedEnvelope[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ device, afterSeq, limit, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.reading || this.scheduled) return;
    this.scheduled = true;
    // The rest of this turn's reads (every note of one Redis packet, say) join the first.
    setImmediate(() => {
      this.scheduled = false;
      void this.readWaiting();
    });
  }

  private async readWaiting(): Promise<void> {
    const reads = this.waiting;
    this.waiting = [];
    if (reads.length === 0) return;
    this.reading = true;
    try {
      const { rows } = await this.database().query<EnvelopeRow & { n: number }>({
        name: 'relay-read-queues',
        text: READ_QUEUES,
        values: [reads.map((r) => r.device.userId), reads.map((r) => r.device.deviceId), reads.map((r) => r.afterSeq), reads.map((r) => r.limit)],
      });
      const found = reads.map((): QueuedEnvelope[] => []);
      for (const row of rows) found[row.n - 1]!.push(toEnvelope(row, reads[row.n - 1]!.device));
      reads.forEach((read, i) => read.resolve(found[i]!));
    } catch (error) {
      for (const read of reads) read.reject(error);
    } finally {
      this.reading = false;
      // Asked for while this read was under way: their turn now, together.
      if (this.waiting.length > 0) this.schedule();
    }
  }
}
