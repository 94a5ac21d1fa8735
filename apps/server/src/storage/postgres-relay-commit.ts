/**
 * The relay's write path on PostgreSQL: one transaction per batch (group commit) that checks each
 * send against the recipient's devices and quota, queues the accepted envelopes and deletes the
 * acknowledged ones.
 *
 * Commit order per device: the transaction locks the rows of every device it will queue for
 * (sorted, so two batches never deadlock) BEFORE it inserts, and `seq` is drawn at insert. A
 * second writer to the same device waits for the lock until the first has committed, so it draws
 * a larger seq only after the smaller one is visible: a reader paging by `seq > last` never
 * passes over an envelope that commits later. The account rows are locked FOR SHARE first, which
 * a device link (FOR NO KEY UPDATE on the account) waits for, and which waits for it: a send never misses
 * a device linked while it was checked (the device rows are read by a later statement, so after
 * any link the account lock waited for).
 *
 * Round trips: the connection is in pipeline mode (PostgresDatabase.pipelinedTransaction). BEGIN,
 * both locks and the deletion of acks go out together; the checks run here on what they returned;
 * then one INSERT for every accepted send and the COMMIT go out together. A batch costs two round
 * trips and five statements whatever its size (it was one INSERT per send).
 *
 * Queue counters: a device's queue holds its devices row's counters (raised by inserts, under the
 * lock above) minus its queue_removals row's (raised by deletions, migration 11). An ack locks no
 * device row, so two nodes — each sending to the other's devices and acking its own — never wait
 * for each other's commits.
 */
import { envelopeOf } from '../relay/relay-commit-wire.js';
import type { OutgoingMessage, QueuedEnvelope, RelayWrites, SubmitOutcome } from './storage.js';
import type { Queryable } from './postgres-database.js';
import { type QueueUse, devicesChanged, fitsQuota } from './send-checks.js';

/** Each recipient user's devices (locked) with what their queues hold; absent: no such account. */
type Queues = Map<string, Map<number, QueueUse>>;

/**
 * Runs one batch as a whole transaction on a pipelined connection, BEGIN to COMMIT; outcomes in
 * the order of `writes.sends`. `beforeCommit` (tests) is awaited with the batch written, before COMMIT.
 */
export async function commitRelayBatch(client: Queryable, writes: RelayWrites, beforeCommit?: () => Promise<void>): Promise<SubmitOutcome[]> {
  // Only the recipients: an ack's deletion writes no device row (its trigger counts it in
  // queue_removals, migration 11), so a batch never waits for the batches sending to its own devices.
  const users = [...new Set(writes.sends.map((s) => s.to))].sort();
  const [, accounts, devices, removals, deleted] = await Promise.all([
    client.query('BEGIN'),
    client.query<{ userId: string }>({ name: 'relay-lock-accounts', text: LOCK_ACCOUNTS, values: [users] }),
    // Every device row this batch may write to, locked in one sorted pass. NO KEY: inserts
    // elsewhere that merely reference a device (a link code, a prekey) need not wait for the batch.
    client.query<{ userId: string; deviceId: number } & QueueUse>({ name: 'relay-lock-devices', text: LOCK_DEVICES, values: [users] }),
    // A statement of its own, so its snapshot is taken once the locks are held: it sees every
    // fold of removals into the rows just locked (a fold holds the device row). Removals that
    // commit later only make the queues look fuller than they are: near a quota, refused early.
    client.query<{ userId: string; deviceId: number } & QueueUse>({ name: 'relay-read-removals', text: READ_REMOVALS, values: [users] }),
    writes.acks.length > 0
      ? client.query<{ userId: string; deviceId: number; bytes: number }>({
          name: 'relay-delete-acked',
          text: DELETE_ACKED,
          values: [writes.acks.map((a) => a.seq), writes.acks.map((a) => a.userId), writes.acks.map((a) => a.deviceId)],
        })
      : null,
  ]);
  const queues: Queues = new Map(accounts.rows.map((row) => [row.userId, new Map()]));
  for (const row of devices.rows) queues.get(row.userId)?.set(row.deviceId, { envelopes: row.envelopes, bytes: row.bytes });
  for (const row of removals.rows) {
    const use = queues.get(row.userId)?.get(row.deviceId);
    if (!use) continue;
    use.envelopes -= row.envelopes;
    use.bytes -= row.bytes;
  }
  // The counters were read before the acks' deletion, whose trigger counted it as removals.
  for (const row of deleted?.rows ?? []) {
    const use = queues.get(row.userId)?.get(row.deviceId);
    if (!use) continue;
    use.envelopes -= 1;
    use.bytes -= row.bytes;
  }

  const checked = writes.sends.map((send) => refusal(send, queues));
  const accepted = writes.sends.filter((_, i) => checked[i] === undefined);
  let queued: QueuedEnvelope[][];
  if (fitsEvenIfAllNew(accepted, queues, writes.quota)) {
    const inserting = insertEnvelopes(client, accepted, writes.now);
    if (beforeCommit) {
      await inserting;
      await beforeCommit();
    }
    [queued] = await Promise.all([inserting, client.query('COMMIT')]);
  } else {
    queued = await queueOneByOne(client, accepted, queues, writes);
    await beforeCommit?.();
    await client.query('COMMIT');
  }
  let next = 0;
  return checked.map((outcome) => {
    if (outcome) return outcome;
    const envelopes = queued[next++]!;
    return envelopes === OVER_QUOTA ? { kind: 'queue_full' } : { kind: 'queued', envelopes };
  });
}

const LOCK_ACCOUNTS = 'SELECT user_id AS "userId" FROM accounts WHERE user_id = ANY($1) ORDER BY user_id FOR SHARE';
const LOCK_DEVICES = `SELECT user_id AS "userId", device_id AS "deviceId", queued_envelopes AS envelopes, queued_bytes AS bytes
  FROM devices WHERE user_id = ANY($1) ORDER BY user_id, device_id FOR NO KEY UPDATE`;
const READ_REMOVALS = `SELECT user_id AS "userId", device_id AS "deviceId", envelopes, bytes
  FROM queue_removals WHERE user_id = ANY($1)`;
const DELETE_ACKED = `DELETE FROM envelopes e USING unnest($1::bigint[], $2::text[], $3::int[]) AS a (seq, user_id, device_id)
  WHERE e.seq = a.seq AND e.recipient_user = a.user_id AND e.recipient_device = a.device_id
  RETURNING e.recipient_user AS "userId", e.recipient_device AS "deviceId", length(e.ciphertext) AS bytes`;
// Rows go in as listed (ORDER BY the ordinality), so seq follows the batch's order per device.
// The ciphertexts travel as ONE binary parameter, cut by position and length: a bytea[] parameter
// goes as text, every byte hex-encoded here and parsed back in PostgreSQL.
const INSERT_ENVELOPES = `INSERT INTO envelopes (recipient_user, recipient_device, sender_user, sender_device, message_id, type, ciphertext, server_timestamp)
  SELECT m.recipient_user, m.recipient_device, m.sender_user, m.sender_device, m.message_id, m.type, substring($10::bytea FROM m.start FOR m.length), $1
  FROM unnest($2::text[], $3::int[], $4::text[], $5::int[], $6::text[], $7::int[], $8::int[], $9::int[])
    WITH ORDINALITY AS m (recipient_user, recipient_device, sender_user, sender_device, message_id, type, start, length, n)
  ORDER BY m.n
  ON CONFLICT DO NOTHING
  RETURNING seq, recipient_user AS "to", recipient_device AS "deviceId", sender_user AS "senderUser", sender_device AS "senderDevice", message_id AS "messageId"`;

/** Why a send is refused whatever else the batch holds; undefined when it may be queued. */
function refusal(send: OutgoingMessage, queues: Queues): SubmitOutcome | undefined {
  const devices = queues.get(send.to);
  if (!devices) return { kind: 'unknown_user' };
  return devicesChanged(send, devices.keys());
}

/**
 * Whether every accepted send fits its queues even if none of its envelopes is a retry already
 * queued (a retry takes no room): then all are queued, exactly as checking them one by one would
 * decide, and one INSERT does it. Near a quota the exact check (queueOneByOne) decides.
 */
function fitsEvenIfAllNew(sends: OutgoingMessage[], queues: Queues, quota: RelayWrites['quota']): boolean {
  const added = new Map<QueueUse, QueueUse>();
  for (const send of sends) {
    for (const message of send.messages) {
      const use = queues.get(send.to)!.get(message.deviceId)!;
      let extra = added.get(use);
      if (!extra) added.set(use, (extra = { envelopes: 0, bytes: 0 }));
      if (!fitsQuota({ envelopes: use.envelopes + extra.envelopes, bytes: use.bytes + extra.bytes }, message, quota)) return false;
      extra.envelopes += 1;
      extra.bytes += message.ciphertext.byteLength;
    }
  }
  return true;
}

/** Stands for a send refused for its quota among queueOneByOne's results (compared by identity). */
const OVER_QUOTA: QueuedEnvelope[] = [];

/**
 * The exact check near a quota: each send in turn, all or nothing, counting what the ones before
 * it queued; a message over the quota passes only if it is a retry of one still queued.
 */
async function queueOneByOne(client: Queryable, sends: OutgoingMessage[], queues: Queues, writes: RelayWrites): Promise<QueuedEnvelope[][]> {
  const results: QueuedEnvelope[][] = [];
  for (const send of sends) {
    const devices = queues.get(send.to)!;
    if (!(await fits(client, send, devices, writes.quota))) {
      results.push(OVER_QUOTA);
      continue;
    }
    const [envelopes] = await insertEnvelopes(client, [send], writes.now);
    for (const envelope of envelopes!) {
      const use = devices.get(envelope.recipient.deviceId)!;
      use.envelopes += 1;
      use.bytes += envelope.ciphertext.byteLength;
    }
    results.push(envelopes!);
  }
  return results;
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

/**
 * Inserts the envelopes of `sends` in one statement; per send, those queued now. A retry of one
 * still queued inserts nothing (ON CONFLICT), and neither does a second copy of a send in one batch.
 */
async function insertEnvelopes(client: Queryable, sends: OutgoingMessage[], now: number): Promise<QueuedEnvelope[][]> {
  if (sends.length === 0) return [];
  const messages = sends.flatMap((send) => send.messages.map((message) => ({ send, message })));
  // 1-based positions of each ciphertext in the one parameter that carries them all.
  let position = 1;
  const starts = messages.map(({ message }) => {
    const start = position;
    position += message.ciphertext.byteLength;
    return start;
  });
  const { rows } = await client.query<{ seq: number; to: string; deviceId: number; senderUser: string; senderDevice: number; messageId: string }>({
    name: 'relay-insert-envelopes',
    text: INSERT_ENVELOPES,
    values: [
      now,
      messages.map(({ send }) => send.to),
      messages.map(({ message }) => message.deviceId),
      messages.map(({ send }) => send.sender.userId),
      messages.map(({ send }) => send.sender.deviceId),
      messages.map(({ send }) => send.messageId),
      messages.map(({ message }) => message.type),
      starts,
      messages.map(({ message }) => message.ciphertext.byteLength),
      Buffer.concat(messages.map(({ message }) => message.ciphertext)),
    ],
  });
  const seqOf = new Map(rows.map((row) => [envelopeKey(row.to, row.deviceId, row.senderUser, row.senderDevice, row.messageId), row.seq]));
  return sends.map((send) => {
    const envelopes: QueuedEnvelope[] = [];
    for (const message of send.messages) {
      const key = envelopeKey(send.to, message.deviceId, send.sender.userId, send.sender.deviceId, send.messageId);
      const seq = seqOf.get(key);
      // No row: the same send was queued before (a retry) and is still waiting for its ack.
      if (seq === undefined) continue;
      // A second copy in this batch inserted nothing: the row is the first copy's.
      seqOf.delete(key);
      envelopes.push(envelopeOf(send, message, seq, now));
    }
    return envelopes;
  });
}

/** The envelopes table's unique key, as one string. */
function envelopeKey(to: string, deviceId: number, senderUser: string, senderDevice: number, messageId: string): string {
  return `${to}\u0000${deviceId}\u0000${senderUser}\u0000${senderDevice}\u0000${messageId}`;
}
