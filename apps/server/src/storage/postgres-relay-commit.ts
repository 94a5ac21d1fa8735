/**
 * The relay's write path on PostgreSQL: one transaction per batch (group commit) that checks each
 * send against the recipient's devices and quota, queues the accepted envelopes and deletes the
 * acknowledged ones.
 *
 * Commit order per device: the transaction locks the rows of every device it will write to
 * (sorted, so two batches never deadlock) BEFORE it inserts, and `seq` is drawn at insert. A
 * second writer to the same device waits for the lock until the first has committed, so it draws
 * a larger seq only after the smaller one is visible: a reader paging by `seq > last` never
 * passes over an envelope that commits later. The account rows are locked FOR SHARE first, which
 * a device link (FOR NO KEY UPDATE on the account) waits for, and which waits for it: a send never misses
 * a device linked while it was checked.
 */
import { envelopeOf } from '../relay/relay-commit-wire.js';
import type { OutgoingMessage, QueuedEnvelope, RelayWrites, SubmitOutcome } from './storage.js';
import { type Queryable, bytea } from './postgres-database.js';
import { type QueueUse, devicesChanged, fitsQuota } from './send-checks.js';

/** Runs one batch inside the caller's transaction; outcomes in the order of `writes.sends`. */
export async function commitRelayBatch(client: Queryable, writes: RelayWrites): Promise<SubmitOutcome[]> {
  const users = [...new Set([...writes.sends.map((s) => s.to), ...writes.acks.map((a) => a.userId)])].sort();
  const existing = new Set(
    (await client.query<{ userId: string }>('SELECT user_id AS "userId" FROM accounts WHERE user_id = ANY($1) ORDER BY user_id FOR SHARE', [users])).rows.map(
      (r) => r.userId,
    ),
  );
  // Every row this batch may write to, locked in one sorted pass. NO KEY: inserts elsewhere that
  // merely reference a device (a link code, a prekey) need not wait for the batch.
  await client.query('SELECT 1 FROM devices WHERE user_id = ANY($1) ORDER BY user_id, device_id FOR NO KEY UPDATE', [users]);

  if (writes.acks.length > 0) {
    await client.query(
      `DELETE FROM envelopes e USING unnest($1::bigint[], $2::text[], $3::int[]) AS a (seq, user_id, device_id)
       WHERE e.seq = a.seq AND e.recipient_user = a.user_id AND e.recipient_device = a.device_id`,
      [writes.acks.map((a) => a.seq), writes.acks.map((a) => a.userId), writes.acks.map((a) => a.deviceId)],
    );
  }
  // Read after the acks: the triggers have taken what they freed off the counters.
  const queues = new Map<string, Map<number, QueueUse>>();
  const { rows } = await client.query<{ userId: string; deviceId: number; envelopes: number; bytes: number }>(
    'SELECT user_id AS "userId", device_id AS "deviceId", queued_envelopes AS envelopes, queued_bytes AS bytes FROM devices WHERE user_id = ANY($1)',
    [users],
  );
  for (const row of rows) {
    let devices = queues.get(row.userId);
    if (!devices) queues.set(row.userId, (devices = new Map()));
    devices.set(row.deviceId, { envelopes: row.envelopes, bytes: row.bytes });
  }

  const outcomes: SubmitOutcome[] = [];
  for (const send of writes.sends) {
    if (!existing.has(send.to)) {
      outcomes.push({ kind: 'unknown_user' });
      continue;
    }
    const devices = queues.get(send.to) ?? new Map<number, QueueUse>();
    const changed = devicesChanged(send, devices.keys());
    if (changed) {
      outcomes.push(changed);
      continue;
    }
    if (!(await fits(client, send, devices, writes.quota))) {
      outcomes.push({ kind: 'queue_full' });
      continue;
    }
    outcomes.push({ kind: 'queued', envelopes: await queue(client, send, devices, writes.now) });
  }
  return outcomes;
}

/** Whether every message finds room in its device's queue (a retry of one queued already needs none). */
async function fits(client: Queryable, send: OutgoingMessage, devices: Map<number, QueueUse>, quota: RelayWrites['quota']): Promise<boolean> {
  for (const message of send.messages) {
    if (fitsQuota(devices.get(message.deviceId)!, message, quota)) continue;
    const { rowCount } = await client.query(
      'SELECT 1 FROM envelopes WHERE recipient_user = $1 AND recipient_device = $2 AND sender_user = $3 AND sender_device = $4 AND message_id = $5',
      [send.to, message.deviceId, send.sender.userId, send.sender.deviceId, send.messageId],
    );
    if (!rowCount) return false;
  }
  return true;
}

/** Inserts a send's envelopes in one statement; a retry of one still queued inserts nothing. */
async function queue(client: Queryable, send: OutgoingMessage, devices: Map<number, QueueUse>, now: number): Promise<QueuedEnvelope[]> {
  const { rows } = await client.query<{ seq: number; deviceId: number }>(
    `INSERT INTO envelopes (recipient_user, recipient_device, sender_user, sender_device, message_id, type, ciphertext, server_timestamp)
     SELECT $1, m.device_id, $2, $3, $4, m.type, m.ciphertext, $5
     FROM unnest($6::int[], $7::int[], $8::bytea[]) WITH ORDINALITY AS m (device_id, type, ciphertext, n)
     ORDER BY m.n
     ON CONFLICT DO NOTHING RETURNING seq, recipient_device AS "deviceId"`,
    [
      send.to,
      send.sender.userId,
      send.sender.deviceId,
      send.messageId,
      now,
      send.messages.map((m) => m.deviceId),
      send.messages.map((m) => m.type),
      send.messages.map((m) => bytea(m.ciphertext)),
    ],
  );
  const seqOf = new Map(rows.map((row) => [row.deviceId, row.seq]));
  const envelopes: QueuedEnvelope[] = [];
  for (const message of send.messages) {
    const seq = seqOf.get(message.deviceId);
    // No row: the same send was queued before (a retry) and is still waiting for its ack.
    if (seq === undefined) continue;
    const use = devices.get(message.deviceId)!;
    use.envelopes += 1;
    use.bytes += message.ciphertext.byteLength;
    envelopes.push(envelopeOf(send, message, seq, now));
  }
  return envelopes;
}
