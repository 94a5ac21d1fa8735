/**
 * What only the PostgreSQL backend promises beyond the contract: the same migration numbers,
 * migrations run once when nodes start together, a refusal to run without durable commits, and
 * each device's queue read in commit order while several nodes write (the late-commit race).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { MIGRATIONS } from './migrations.js';
import { PostgresDatabase } from './postgres-database.js';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresStorage, type PostgresStorageOptions } from './postgres-storage.js';
import { testAccount, testDevice, testSend, testWrites } from './storage-contract.js';
import type { QueuedEnvelope } from './storage.js';
import { startScratchPostgres } from '../testing/scratch-postgres.js';
import { scratchPostgresPerFile } from '../testing/test-support.js';

const clock = new ManualClock(1_000);
const bob1 = { userId: 'bob', deviceId: 1 };

const cluster = scratchPostgresPerFile();

const open: PostgresStorage[] = [];
afterEach(async () => {
  for (const storage of open.splice(0)) await storage.close();
});

/** A node on `url`; closed after the test. */
async function node(url: string, options: Partial<PostgresStorageOptions> = {}): Promise<PostgresStorage> {
  const storage = new PostgresStorage({ url, clock, poolSize: 4, ...options });
  open.push(storage);
  await storage.open();
  return storage;
}

/** A gate a relay transaction waits at before COMMIT, opened by the test. */
function commitGate() {
  let entered!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((resolve) => (entered = resolve));
  const opened = new Promise<void>((resolve) => (release = resolve));
  let armed = true;
  return {
    /** As `beforeRelayCommit`: holds the first transaction only. */
    hold: async () => {
      if (!armed) return;
      armed = false;
      entered();
      await opened;
    },
    reached,
    release,
  };
}

/** Resolves once `promise` settled (true) or a backend of `url` waits for a row lock (false). */
async function settledOrWaitingOnLock(url: string, promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (;;) {
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
      );
      if (settled) return true;
      if (Number(rows[0]!.n) > 0) return false;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await client.end();
  }
}

describe('PostgresStorage', () => {
  it('has the same migrations as SQLite, by number and name', () => {
    expect(POSTGRES_MIGRATIONS.map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
  });

  it('migrates once when several nodes start on an empty database together', async () => {
    const url = await cluster.createDatabase();
    const nodes = await Promise.all(Array.from({ length: 4 }, () => node(url)));
    expect((await nodes[0]!.appliedMigrations()).map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
    for (const other of nodes) expect(await other.migrate()).toEqual([]);
  });

  it('refuses to start with synchronous_commit off, saying what to change', async () => {
    const url = await cluster.createDatabase();
    const storage = new PostgresStorage({ url: `${url}?options=${encodeURIComponent('-c synchronous_commit=off')}`, clock });
    await expect(storage.open()).rejects.toThrow(/synchronous_commit = off.*Set synchronous_commit = on/);
  });

  it('refuses to start on a server with fsync off', { timeout: 60_000 }, async () => {
    const unsafe = await startScratchPostgres({ fsync: 'off' });
    try {
      const storage = new PostgresStorage({ url: await unsafe.createDatabase(), clock });
      await expect(storage.open()).rejects.toThrow(/fsync = off.*Set fsync = on/);
    } finally {
      await unsafe.stop();
    }
  });

  it('never lets a reader skip an envelope that commits late while another node commits after it', async () => {
    const url = await cluster.createDatabase();
    const gate = commitGate();
    const slow = await node(url, { beforeRelayCommit: gate.hold });
    const fast = await node(url);
    const reader = await node(url);
    await slow.createAccount(testAccount('alice', 1), 5);
    await slow.createAccount(testAccount('bob', 2), 5);

    // Node A has queued "early" for bob and is about to commit; node B queues "late" meanwhile.
    const early = slow.commitRelayWrites(testWrites([testSend('early')]));
    await gate.reached;
    const late = fast.commitRelayWrites(testWrites([testSend('late')]));
    await settledOrWaitingOnLock(url, late);

    // A reader pages through bob's queue now, as a relay connection would, then after both commits.
    const seen: QueuedEnvelope[] = [];
    let cursor = 0;
    const readOn = async () => {
      for (const envelope of await reader.pendingEnvelopes(bob1, cursor, 100)) {
        seen.push(envelope);
        cursor = envelope.seq;
      }
    };
    await readOn();
    gate.release();
    await Promise.all([early, late]);
    await readOn();

    expect(seen.map((e) => e.messageId)).toEqual(['early', 'late']);
  });

  it('lets a node queue for a device while another node\'s batch acking that device\'s envelopes is still open', async () => {
    const url = await cluster.createDatabase();
    const gate = commitGate();
    const acking = await node(url, { beforeRelayCommit: gate.hold });
    const sending = await node(url);
    await acking.createAccount(testAccount('alice', 1), 5);
    await acking.createAccount(testAccount('bob', 2), 5);
    const [first] = await sending.commitRelayWrites(testWrites([testSend('first')]));
    const firstSeq = first!.kind === 'queued' ? first!.envelopes[0]!.seq : 0;

    // Bob's node acks "first" (and queues for alice) and is about to commit; alice's node queues for bob meanwhile.
    const ack = acking.commitRelayWrites(testWrites([testSend('reply', 'alice')], [{ ...bob1, seq: firstSeq }]));
    await gate.reached;
    const next = sending.commitRelayWrites(testWrites([testSend('next')]));
    // Before migration 11 the ack's trigger held bob's device row: "next" waited for that commit.
    expect(await settledOrWaitingOnLock(url, next)).toBe(true);
    gate.release();
    await ack;
    expect((await acking.pendingEnvelopes(bob1, 0, 10)).map((e) => e.messageId)).toEqual(['next']);
  });

  it('holds a device\'s quota with removals counted apart, before and after they are folded', async () => {
    const url = await cluster.createDatabase();
    const a = await node(url);
    const b = await node(url);
    await a.createAccount(testAccount('alice', 1), 5);
    await a.createAccount(testAccount('bob', 2), 5);
    const quota = { queueEnvelopes: 3, queueBytes: 1_000 };
    const kinds = async (storage: PostgresStorage, ...writes: Parameters<typeof testWrites>) =>
      (await storage.commitRelayWrites(testWrites(...writes))).map((o) => o.kind);
    expect(await kinds(a, [testSend('a'), testSend('b'), testSend('c')], [], quota)).toEqual(['queued', 'queued', 'queued']);
    expect(await kinds(b, [testSend('d')], [], quota)).toEqual(['queue_full']);
    // Two acks through the other node free two places, counted in queue_removals.
    const [oldest, second] = await a.pendingEnvelopes(bob1, 0, 2);
    await b.commitRelayWrites(testWrites([], [{ ...bob1, seq: oldest!.seq }, { ...bob1, seq: second!.seq }]));
    expect(await kinds(a, [testSend('d'), testSend('e'), testSend('f')], [], quota)).toEqual(['queued', 'queued', 'queue_full']);
    const [third] = await a.pendingEnvelopes(bob1, 0, 1);
    await b.commitRelayWrites(testWrites([], [{ ...bob1, seq: third!.seq }]));
    await a.foldQueueRemovals();
    expect(await kinds(b, [testSend('f'), testSend('g')], [], quota)).toEqual(['queued', 'queue_full']);
    expect((await a.pendingEnvelopes(bob1, 0, 10)).map((e) => e.messageId)).toEqual(['d', 'e', 'f']);
  });

  it('makes a device link on one node wait for a send being committed on another, which then must address the new device', async () => {
    const url = await cluster.createDatabase();
    const gate = commitGate();
    const sending = await node(url, { beforeRelayCommit: gate.hold });
    const linking = await node(url);
    await sending.createAccount(testAccount('alice', 1), 5);
    await sending.createAccount(testAccount('bob', 2), 5);

    // A new device of bob's has its request provisioned; only its registration is left.
    await linking.createLinkCode({ linkId: 'code', owner: bob1, expiresAt: 1_000 });
    await linking.createLinkRequest({ requestHash: new Uint8Array(32).fill(1), linkId: 'code', ephemeralPublicKey: new Uint8Array(33), mac: new Uint8Array(32) }, 10);
    await linking.setProvisioningToken(new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));

    // The send has checked bob's devices (only 1) and holds its batch open; the registration comes now.
    const inFlight = sending.commitRelayWrites(testWrites([testSend('before-link')]));
    await gate.reached;
    const link = linking.completeLink(new Uint8Array(32).fill(2), testDevice(3), 10);
    expect(await settledOrWaitingOnLock(url, link)).toBe(false);
    gate.release();
    expect((await inFlight)[0]).toMatchObject({ kind: 'queued', envelopes: [{ recipient: bob1 }] });
    expect(await link).toEqual({ kind: 'linked', userId: 'bob', deviceId: 2 });
    // From now on a send that misses the new device is refused.
    expect(await linking.commitRelayWrites(testWrites([testSend('after-link')]))).toEqual([{ kind: 'devices_changed', missing: [2], extra: [] }]);
  });

  it('keeps a device\'s queue whole for a reader paging while two nodes commit with random delays', { timeout: 60_000 }, async () => {
    const url = await cluster.createDatabase();
    const jitter = () => new Promise<void>((resolve) => setTimeout(resolve, Math.random() * 4));
    const a = await node(url, { beforeRelayCommit: jitter });
    const b = await node(url, { beforeRelayCommit: jitter });
    const reader = await node(url);
    await a.createAccount(testAccount('alice', 1), 5);
    await a.createAccount(testAccount('bob', 2), 5);

    const writers = Promise.all(
      [a, b].map(async (writer, w) => {
        for (let batch = 0; batch < 15; batch++) {
          await Promise.all([0, 1].map((i) => writer.commitRelayWrites(testWrites([testSend(`w${w}-${batch}-${i}`)]))));
        }
      }),
    );
    let done = false;
    void writers.then(() => (done = true));
    const seen: string[] = [];
    let cursor = 0;
    for (let last = false; !last; ) {
      last = done;
      for (const envelope of await reader.pendingEnvelopes(bob1, cursor, 1_000)) {
        seen.push(envelope.messageId);
        cursor = envelope.seq;
      }
    }
    await writers;
    expect(seen).toHaveLength(60);
    expect(new Set(seen).size).toBe(60);
  });

  it('hands out each one-time key once to 1,000 concurrent bundle fetches on two nodes', { timeout: 120_000 }, async () => {
    const url = await cluster.createDatabase();
    const a = await node(url, { poolSize: 8 });
    const b = await node(url, { poolSize: 8 });
    await a.createAccount(testAccount('bob', 2, { oneTime: 600 }), 5);
    const fetches = Array.from({ length: 1_000 }, (_, i) => (i % 2 ? b : a).takePreKeyBundles('bob'));
    const bundles = (await Promise.all(fetches)).map(([bundle]) => bundle!);
    const ec = bundles.flatMap((bundle) => (bundle.preKey ? [bundle.preKey.keyId] : []));
    const kyber = bundles.map((bundle) => bundle.kyberPreKey.keyId).filter((id) => id !== 2);
    expect(ec).toHaveLength(600);
    expect(new Set(ec).size).toBe(600);
    expect(new Set(kyber).size).toBe(600);
    // The other 400 got the last-resort Kyber key, which is meant to be shared.
    expect(bundles.filter((bundle) => bundle.kyberPreKey.keyId === 2)).toHaveLength(400);
  });

  it('keeps each device\'s queue counters equal to its queue through batches, retries, acks, expiry, folds and removal', async () => {
    const url = await cluster.createDatabase();
    const storage = await node(url);
    for (const [i, user] of ['alice', 'bob', 'carol'].entries()) await storage.createAccount(testAccount(user, i + 1), 5);
    const counters = new pg.Client({ connectionString: url });
    await counters.connect();
    // A device's counters are its row's minus its removals row's (migration 11).
    const mismatches = async () =>
      (
        await counters.query(`SELECT d.user_id, d.device_id, d.envelopes, d.bytes, count(e.seq) AS n, coalesce(sum(length(e.ciphertext)), 0) AS queued_bytes
          FROM (SELECT d.user_id, d.device_id, d.queued_envelopes - coalesce(r.envelopes, 0) AS envelopes, d.queued_bytes - coalesce(r.bytes, 0) AS bytes
                FROM devices d LEFT JOIN queue_removals r USING (user_id, device_id)) d
          LEFT JOIN envelopes e ON e.recipient_user = d.user_id AND e.recipient_device = d.device_id
          GROUP BY d.user_id, d.device_id, d.envelopes, d.bytes HAVING d.envelopes <> count(e.seq) OR d.bytes <> coalesce(sum(length(e.ciphertext)), 0)`)
      ).rows;
    const removalRows = async () => Number((await counters.query<{ n: string }>('SELECT count(*) AS n FROM queue_removals')).rows[0]!.n);
    try {
      // Several envelopes per device in one statement, sizes differing, one repeated (inserts nothing).
      const sends = Array.from({ length: 12 }, (_, i) => testSend(`m${i}`, i % 2 ? 'bob' : 'carol', [1], 5 + i));
      const outcomes = await storage.commitRelayWrites({ ...testWrites([...sends, sends[3]!]), now: 10 });
      const queued = outcomes.flatMap((o) => (o.kind === 'queued' ? o.envelopes : []));
      expect(queued).toHaveLength(12);
      expect(await mismatches()).toEqual([]);
      await storage.commitRelayWrites(testWrites(sends.slice(0, 4)));
      expect(await storage.queuedEnvelopeCount()).toBe(12);
      // Acks of several devices in one statement, with new sends beside them.
      await storage.commitRelayWrites({ ...testWrites([testSend('late', 'bob', [1], 40)], queued.slice(0, 5).map((e) => ({ ...e.recipient, seq: e.seq }))), now: 20 });
      expect(await mismatches()).toEqual([]);
      expect(await removalRows()).toBe(2);
      // Folded into the device rows: the counters stay right, the removals rows are gone.
      expect(await storage.foldQueueRemovals()).toBe(2);
      expect(await removalRows()).toBe(0);
      expect(await mismatches()).toEqual([]);
      expect(await storage.expireEnvelopes(15)).toBe(7);
      expect(await mismatches()).toEqual([]);
      expect(await storage.queuedEnvelopeCount()).toBe(1);
      // A device removed takes its counters along and leaves no removals row behind.
      await storage.removeDevice(bob1);
      expect(await mismatches()).toEqual([]);
      expect(await storage.queuedEnvelopeCount()).toBe(0);
      await storage.foldQueueRemovals();
      expect(await removalRows()).toBe(0);
      expect(await mismatches()).toEqual([]);
    } finally {
      await counters.end();
    }
  });

  it('reads many devices\' queues asked for at once, each after its own position and up to its own limit', async () => {
    const url = await cluster.createDatabase();
    const storage = await node(url);
    for (const [i, user] of ['alice', 'bob', 'carol'].entries()) await storage.createAccount(testAccount(user, i + 1), 5);
    const outcomes = await storage.commitRelayWrites(testWrites(Array.from({ length: 10 }, (_, i) => testSend(`m${i}`, i % 2 ? 'bob' : 'carol'))));
    const seqs = outcomes.flatMap((o) => (o.kind === 'queued' ? o.envelopes.map((e) => e.seq) : []));
    const carol1 = { userId: 'carol', deviceId: 1 };
    // Asked for in one turn (as a Redis packet's "look again" notes are), answered together.
    const [bobAll, bobAfterFirst, carolTwo, nobody] = await Promise.all([
      storage.pendingEnvelopes(bob1, 0, 100),
      storage.pendingEnvelopes(bob1, seqs[1]!, 100),
      storage.pendingEnvelopes(carol1, 0, 2),
      storage.pendingEnvelopes({ userId: 'alice', deviceId: 1 }, 0, 100),
    ]);
    expect(bobAll!.map((e) => e.messageId)).toEqual(['m1', 'm3', 'm5', 'm7', 'm9']);
    expect(bobAll!.every((e) => e.recipient.userId === 'bob')).toBe(true);
    expect(bobAfterFirst!.map((e) => e.messageId)).toEqual(['m3', 'm5', 'm7', 'm9']);
    expect(carolTwo!.map((e) => [e.messageId, e.recipient.userId])).toEqual([
      ['m0', 'carol'],
      ['m2', 'carol'],
    ]);
    expect(nobody).toEqual([]);
  });
});

describe('PostgresDatabase transactions', () => {
  it('runs a transaction again when PostgreSQL aborts it as a deadlock victim', { timeout: 60_000 }, async () => {
    const url = await cluster.createDatabase();
    const database = new PostgresDatabase({ url, clock, migrations: [] });
    try {
      await database.pool.query("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL); INSERT INTO t VALUES ('a', 0), ('b', 0)");
      // Both take their first row, meet at the barrier, then each wants the other's: a deadlock on
      // the first attempt; the victim's second attempt finds the barrier passed and just waits.
      let arrived = 0;
      let meet!: () => void;
      const barrier = new Promise<void>((resolve) => (meet = resolve));
      let attempts = 0;
      const crossing = (first: string, second: string) =>
        database.transaction(async (client) => {
          attempts += 1;
          await client.query('UPDATE t SET n = n + 1 WHERE id = $1', [first]);
          if (++arrived === 2) meet();
          await barrier;
          await client.query('UPDATE t SET n = n + 1 WHERE id = $1', [second]);
        });
      await Promise.all([crossing('a', 'b'), crossing('b', 'a')]);
      // Two first attempts and at least one more for the victim. Not exactly three: on a loaded
      // machine a retry may collide again and be retried once more (a fresh clone's CI saw four);
      // either way each transaction's effect lands once (the rows below).
      expect(attempts).toBeGreaterThanOrEqual(3);
      const { rows } = await database.pool.query<{ id: string; n: number }>('SELECT id, n FROM t ORDER BY id');
      expect(rows).toEqual([
        { id: 'a', n: 2 },
        { id: 'b', n: 2 },
      ]);
    } finally {
      await database.close();
    }
  });
});
