/**
 * A node dies mid-flood (issue 22, durability): two server processes on one PostgreSQL and one
 * Redis; Alice, connected to node A, floods Bob (connected to node B, acking as a client does) and
 * Carol (offline); node A is SIGKILLed mid-flood; Alice reconnects through node B and retries what
 * was not acknowledged. Nothing acknowledged is lost, and nothing is shown twice: a message id may
 * arrive in two envelopes only when it was retried without an acknowledgement (the client drops the
 * second by message id), never when the server had acknowledged it.
 *
 * Real WebSocket clients speaking the relay protocol, with opaque random bytes as ciphertext: the
 * server relays bytes it cannot read, so real Signal ciphertext would prove nothing more here and
 * would make the flood slower than the kill.
 */
import { randomBytes } from 'node:crypto';
import { RELAY_PATH } from '@parley/contracts';
import { afterEach, describe, expect, it, onTestFailed } from 'vitest';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.js';
import { TestIdentity } from '../testing/test-keys.js';
import { type Deliveries, floodUntilKilled, receiveUntilQuiet } from '../testing/relay-flood.js';
import { TestApi, TestRelayClient, childServersPerTest, scratchPostgresPerFile, tempFolder } from '../testing/test-support.js';

/** Messages per recipient. */
const MESSAGES = 150;
const IN_FLIGHT = 32;
/** Acknowledged sends after which node A is killed. */
const KILL_AFTER = 100;

type Frame = { t?: string; ref?: string; ok?: boolean };

describe('two nodes, one killed mid-flood', () => {
  const cluster = scratchPostgresPerFile();
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  // Registered after the other clean-ups: hooks run last-registered first, so the nodes stop first.
  const node = childServersPerTest();

  it('loses no acknowledged message and shows none twice when the sender retries through the other node', { timeout: 180_000 }, async () => {
    // Where it was when it failed (a timeout says no more): seen once hanging beside other suites.
    let phase = 'starting Redis, PostgreSQL and two nodes';
    onTestFailed(() => console.error(`node death: failed while ${phase}`));
    const redis: ScratchRedis = await startScratchRedis();
    cleanups.push(() => redis.stop());
    const folder = await tempFolder();
    cleanups.push(() => folder.remove());
    const env = { PARLEY_RATE_LIMITS: 'off', PARLEY_DATABASE_URL: await cluster.createDatabase(), PARLEY_REDIS_URL: redis.url };
    // Started together on one folder, as an orchestrator would: they take turns publishing the local
    // builds into it (cluster/nodes-starting-together.test.ts).
    const [a, b] = await Promise.all([node(folder.path, env), node(folder.path, env)]);
    phase = 'registering';
    const onA = new TestApi(a.addresses.api);
    const alice = await onA.register(new TestIdentity().account('alice'));
    const bob = await onA.register(new TestIdentity().account('bob'));
    const carol = await onA.register(new TestIdentity().account('carol'));

    // Bob is online on node B throughout; Carol is offline until the end.
    const toBob: Deliveries = new Map();
    const toCarol: Deliveries = new Map();
    const bobOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, bob.token);
    const bobReading = receiveUntilQuiet(bobOnB, toBob, 8_000, 60_000);

    // Each message goes to Bob or to Carol, alternating; its id is the send's id.
    const ids = Array.from({ length: 2 * MESSAGES }, (_, i) => `${i % 2 === 0 ? 'bob' : 'carol'}-${String(i >> 1).padStart(4, '0')}`);
    const recipientOf = (id: string) => (id.startsWith('bob') ? bob : carol);
    const send = (client: TestRelayClient, id: string) =>
      client.send({ t: 'send', id, to: recipientOf(id).userId, messages: [{ deviceId: 1, type: 2, ciphertext: randomBytes(48).toString('base64') }] });

    phase = 'flooding through node A';
    const acknowledged = new Set<string>();
    const aliceOnA = await TestRelayClient.signedIn(a.addresses.api, RELAY_PATH, alice.token);
    await aliceOnA.settle();
    await floodUntilKilled(aliceOnA, ids, (id) => send(aliceOnA, id), { inFlight: IN_FLIGHT, killAfter: KILL_AFTER, kill: () => a.process.kill('SIGKILL'), acknowledged });
    expect(await a.exited).toBe('SIGKILL');
    const acknowledgedAtKill = new Set(acknowledged);

    phase = 'retrying through node B';
    // Alice reconnects through node B and sends what was not acknowledged, then the rest.
    const aliceOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, alice.token);
    await aliceOnB.settle();
    const unacknowledged = ids.filter((id) => !acknowledged.has(id));
    for (const id of unacknowledged) send(aliceOnB, id);
    while (unacknowledged.some((id) => !acknowledged.has(id))) {
      const frame = (await aliceOnB.next(10_000)) as Frame;
      if (frame.t === 'result' && frame.ok && frame.ref) acknowledged.add(frame.ref);
    }
    aliceOnB.close();

    // Bob, still connected to node B, reads until quiet; then Carol comes online on node B.
    phase = 'Bob reading until quiet';
    await bobReading;
    phase = 'Carol reading';
    bobOnB.close();
    const carolOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, carol.token);
    await receiveUntilQuiet(carolOnB, toCarol, 3_000);
    carolOnB.close();

    const delivered = new Map([...toBob, ...toCarol]);
    const twice = [...delivered].filter(([, envelopes]) => envelopes.size > 1).map(([id]) => id);
    console.log(
      `node death: acknowledged before the kill ${acknowledgedAtKill.size} of ${ids.length}, retried through B ${unacknowledged.length}, ` +
        `delivered to Bob (online) ${toBob.size}, to Carol (offline) ${toCarol.size}, in two envelopes (retries of unacknowledged sends) ${twice.length}`,
    );
    expect(acknowledged.size).toBe(ids.length);
    // 0 lost: every message reached its recipient, Bob without reconnecting.
    expect(ids.filter((id) => id.startsWith('bob') && !toBob.has(id))).toEqual([]);
    expect(ids.filter((id) => id.startsWith('carol') && !toCarol.has(id))).toEqual([]);
    // 0 shown twice: a message the server acknowledged came in one envelope only; a retried one
    // may come in two, with one message id, which the client shows once.
    expect(twice.filter((id) => acknowledgedAtKill.has(id))).toEqual([]);
    expect(twice.every((id) => unacknowledged.includes(id))).toBe(true);
  });
});
