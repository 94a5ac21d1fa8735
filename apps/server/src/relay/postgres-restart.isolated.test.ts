/**
 * The whole server on PostgreSQL (PARLEY_DATABASE_URL against a scratch cluster): two clients
 * message each other, the server is SIGKILLed mid-flow and started again, the sender retries what
 * was not acknowledged, and the recipient ends up with every message, none lost.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { RELAY_PATH } from '@parley/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from '../testing/child-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { type Deliveries, floodUntilKilled, receiveUntilQuiet } from '../testing/relay-flood.js';
import { TestApi, TestRelayClient, scratchPostgresPerFile, tempFolder } from '../testing/test-support.js';

const MESSAGES = 200;
const IN_FLIGHT = 32;
/** Acknowledged sends after which the server is killed. */
const KILL_AFTER = 80;
/** The longest a reader may keep receiving. */
const RECEIVE_LIMIT_MS = 90_000;

/** Resolves once no envelope is queued in the database at `url`; fails after 20 s. */
async function queueEmptied(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM envelopes');
      if (rows[0]!.n === '0') return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('envelopes stayed queued after every one was acknowledged');
  } finally {
    await client.end();
  }
}

type Frame = { t?: string; ref?: string; ok?: boolean; id?: string; messageId?: string };

describe('the server on PostgreSQL', () => {
  const cluster = scratchPostgresPerFile();
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  const children: ChildServer[] = [];

  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await folder?.remove();
  });

  it('delivers between two clients and loses nothing acknowledged across a SIGKILL and restart', { timeout: 180_000 }, async () => {
    folder = await tempFolder();
    const env = { PARLEY_RATE_LIMITS: 'off', PARLEY_DATABASE_URL: await cluster.createDatabase() };
    const first = await startChildServer(folder.path, env);
    children.push(first);
    const health = (await (await fetch(`${first.addresses.api}/api/health`)).json()) as { storage: string };
    expect(health.storage).toBe('postgres');
    const http = new TestApi(first.addresses.api);
    const alice = await http.register(new TestIdentity().account('alice'));
    const bob = await http.register(new TestIdentity().account('bob'));

    // Bob is online and acks what he gets, as a client does. Per message, the envelope ids it came
    // in: one envelope redelivered (its ack was not committed at the kill) keeps its id.
    const delivered: Deliveries = new Map();
    const receive = (client: TestRelayClient, quietMs: number) => receiveUntilQuiet(client, delivered, quietMs, RECEIVE_LIMIT_MS);
    const bobOnFirst = await TestRelayClient.signedIn(first.addresses.api, RELAY_PATH, bob.token);
    const bobReading = receive(bobOnFirst, 60_000);

    const ids = Array.from({ length: MESSAGES }, (_, i) => `m-${String(i).padStart(4, '0')}`);
    const send = (client: TestRelayClient, id: string) =>
      client.send({ t: 'send', id, to: bob.userId, messages: [{ deviceId: 1, type: 2, ciphertext: randomBytes(48).toString('base64') }] });
    const acknowledged = new Set<string>();
    const sender = await TestRelayClient.signedIn(first.addresses.api, RELAY_PATH, alice.token);
    await sender.settle();
    await floodUntilKilled(sender, ids, (id) => send(sender, id), { inFlight: IN_FLIGHT, killAfter: KILL_AFTER, kill: () => first.process.kill('SIGKILL'), acknowledged });
    expect(await first.exited).toBe('SIGKILL');
    await bobReading;
    const acknowledgedAtKill = new Set(acknowledged);

    // A new process on the same database: Bob reconnects, Alice retries everything unacknowledged.
    const second = await startChildServer(folder.path, env);
    children.push(second);
    const bobOnSecond = await TestRelayClient.signedIn(second.addresses.api, RELAY_PATH, bob.token);
    const bobReadingAgain = receive(bobOnSecond, 3_000);
    const retry = await TestRelayClient.signedIn(second.addresses.api, RELAY_PATH, alice.token);
    await retry.settle();
    const unacknowledged = ids.filter((id) => !acknowledged.has(id));
    for (const id of unacknowledged) send(retry, id);
    while (unacknowledged.some((id) => !acknowledged.has(id))) {
      const frame = (await retry.next(10_000)) as Frame;
      if (frame.t === 'result' && frame.ok && frame.ref) acknowledged.add(frame.ref);
    }
    await bobReadingAgain;
    bobOnSecond.close();
    retry.close();

    // Everything arrived. Only a message retried after the kill may have been queued twice (the
    // client drops the second by message id), never one the server had acknowledged.
    expect(acknowledged.size).toBe(MESSAGES);
    expect(ids.filter((id) => !delivered.has(id))).toEqual([]);
    const twice = [...delivered].filter(([, envelopes]) => envelopes.size > 1).map(([id]) => id);
    expect(twice.filter((id) => acknowledgedAtKill.has(id))).toEqual([]);
    console.log(
      `postgres restart: acknowledged before the kill ${acknowledgedAtKill.size}, retried ${unacknowledged.length}, ` +
        `delivered ${delivered.size}, delivered twice (retries of unacknowledged sends) ${twice.length}`,
    );

    // Acked envelopes are gone for good once the acks committed (the last ones may still be in
    // flight when Bob's socket closed): the queue empties, and a reconnect brings nothing more.
    // `prekeys-low` is a notice the server sends after `ready` once it has counted the device's
    // keys: on PostgreSQL it may come after settle()'s pong. It is no delivery.
    await queueEmptied(env.PARLEY_DATABASE_URL);
    const again = await TestRelayClient.signedIn(second.addresses.api, RELAY_PATH, bob.token);
    await again.settle();
    const leftovers: Frame[] = [];
    while (again.pending > 0) leftovers.push((await again.next()) as Frame);
    expect(leftovers.filter((frame) => frame.t !== 'prekeys-low')).toEqual([]);
    again.close();
  });
});
