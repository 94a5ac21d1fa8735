/**
 * Two server processes on one PostgreSQL and one Redis (issue 22, milestone 3): a message queued on
 * one node reaches a device connected to the other at once ("look again"), a device connecting on
 * the other node displaces its older connection, removing a device on one node closes its socket
 * on the other, notices that are not queued (prekeys running low, a link request) reach the other
 * node, a device links through both nodes at once, and after Redis lost everything both nodes still deliver across. Without Redis,
 * polling the queues (PARLEY_QUEUE_POLL_MS) still delivers across, later.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from '../testing/child-server.js';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.js';
import { systemClock } from '@parley/clock';
import { PostgresStorage } from '../storage/postgres-storage.js';
import { MANIFEST_KEY_FILE_NAME } from '../releases/manifest-keys.js';
import { ROOM_KEY_FILE_NAME } from '../sfu/room-secret.js';
import { testWrites } from '../storage/storage-contract.js';
import { DEFAULT_RATE_LIMITS } from '../config.js';
import { DEFAULT_BLOB_LIMITS } from '../blobs/blob-limits.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, TestRelayClient, scratchPostgresPerFile, tempFolder } from '../testing/test-support.js';

/**
 * The next delivery of a message not seen before, acking as a client does. An envelope acked on the
 * other node just before the reconnect may come again (its ack's commit can trail the socket):
 * at-least-once, same envelope id, and the client drops it.
 */
async function nextNew(client: TestRelayClient, seen = new Set(['across'])): Promise<{ id: string; messageId: string }> {
  for (;;) {
    const frame = (await client.until('deliver', 10_000)) as { id: string; messageId: string };
    client.send({ t: 'ack', id: frame.id });
    if (!seen.has(frame.messageId)) return frame;
  }
}

describe('two nodes on PostgreSQL and Redis', () => {
  const cluster = scratchPostgresPerFile();
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * The data folder of this test's nodes: shared, as a shared volume would be (their manifest keys
   * must be the same to start, cluster/same-setup.ts); everything else is in PostgreSQL.
   */
  let sharedFolder: string | undefined;
  let making: Promise<string> | undefined;
  afterEach(() => {
    sharedFolder = undefined;
    making = undefined;
  });
  function dataFolder(): Promise<string> {
    // Once per test, also when two nodes start at once.
    making ??= tempFolder().then((folder) => {
      cleanups.push(() => folder.remove());
      sharedFolder = folder.path;
      return folder.path;
    });
    return making;
  }

  async function node(env: NodeJS.ProcessEnv, dataDir?: string): Promise<ChildServer> {
    // No local builds published at start and no Janus of their own on the one folder: these tests
    // make no group call and load no app, so publishing would only slow their start.
    const noBuilds = { PARLEY_JANUS: 'off', PARLEY_SHELL_DIST: '/nonexistent', PARLEY_CHAT_DIST: '/nonexistent', PARLEY_CALL_DIST: '/nonexistent' };
    const child = await startChildServer(dataDir ?? (await dataFolder()), { ...noBuilds, ...env });
    cleanups.push(async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    });
    return child;
  }

  it('delivers across nodes at once, displaces and closes devices across them, and survives a Redis restart', { timeout: 120_000 }, async () => {
    const redis: ScratchRedis = await startScratchRedis();
    cleanups.push(() => redis.stop());
    const env = { PARLEY_RATE_LIMITS: 'off', PARLEY_DATABASE_URL: await cluster.createDatabase(), PARLEY_REDIS_URL: redis.url };
    // Started together: one migrates, the other waits on the advisory lock and finds it done.
    const [a, b] = await Promise.all([node(env), node(env)]);
    const onA = new TestApi(a.addresses.api);
    const alice = await onA.register(new TestIdentity().account('alice'));
    const bob = await onA.register(new TestIdentity().account('bob'));
    const carol = await onA.register(new TestIdentity().account('carol'));

    const aliceOnA = await TestRelayClient.signedIn(a.addresses.api, RELAY_PATH, alice.token);
    await aliceOnA.settle();
    const send = async (to: string, id: string) => {
      aliceOnA.send({ t: 'send', id, to, messages: [{ deviceId: 1, type: 2, ciphertext: randomBytes(32).toString('base64') }] });
      expect(await aliceOnA.until('result', 10_000)).toMatchObject({ ref: id, ok: true });
    };

    // Bob on node B gets what alice sent through node A while he is connected, without reconnecting.
    const bobOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, bob.token);
    await bobOnB.settle();
    await send(bob.userId, 'across');
    const delivered = await bobOnB.until('deliver', 10_000);
    expect(delivered).toMatchObject({ messageId: 'across', from: { userId: alice.userId, deviceId: 1 } });
    bobOnB.send({ t: 'ack', id: delivered.id });

    // Alice fetches bob's keys through node A: the "prekeys low" notice reaches his socket on node B.
    expect((await onA.request('GET', `/api/keys/${bob.userId}`, { token: alice.token })).status).toBe(200);
    expect(await bobOnB.until('prekeys-low', 10_000)).toMatchObject({ oneTimePreKeys: 2 });

    // Alice links a device: its request goes through node B, reaches her socket on node A, and
    // the new device's poll on node B sees the provision made through node A within seconds (its
    // own wake-up is on node A; the poll would otherwise wait its full 25 s).
    const onB = new TestApi(b.addresses.api);
    const { body: code } = await onA.request('POST', '/api/link/codes', { token: alice.token });
    const { body: linkRequest } = await onB.request('POST', '/api/link/requests', {
      body: { linkId: code.linkId, ephemeralPublicKey: new TestIdentity().identityKey, mac: Buffer.alloc(32, 1).toString('base64') },
    });
    expect(await aliceOnA.until('link-request', 10_000)).toMatchObject({ linkId: code.linkId, requestId: linkRequest.requestId });
    const poll = fetch(`${b.addresses.api}/api/link/requests/${linkRequest.requestId}`, { signal: AbortSignal.timeout(10_000) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const provisioned = await onA.request('POST', `/api/link/requests/${linkRequest.requestId}/provision`, { token: alice.token, body: { envelope: Buffer.from('env').toString('base64') } });
    expect(provisioned.status).toBeLessThan(300);
    expect((await poll).status).toBe(200);

    // Bob connects again, on node A: his connection on node B is closed as replaced.
    const bobOnA = await TestRelayClient.signedIn(a.addresses.api, RELAY_PATH, bob.token);
    expect((await bobOnB.closed).code).toBe(RELAY_CLOSE.replaced);
    await bobOnA.settle();
    await send(bob.userId, 'local');
    expect(await nextNew(bobOnA)).toMatchObject({ messageId: 'local' });

    // Carol is on node B; bob's device is removed through node A while his socket is on node B.
    const carolOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, carol.token);
    await carolOnB.settle();
    const bobBackOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, bob.token);
    expect((await bobOnA.closed).code).toBe(RELAY_CLOSE.replaced);
    const removed = await onA.request('DELETE', '/api/devices/self', { token: bob.token });
    expect(removed.status).toBeLessThan(300);
    expect((await bobBackOnB.closed).code).toBe(RELAY_CLOSE.deviceRemoved);

    // Redis restarts empty: the nodes claim their devices again and read their queues, so what
    // alice sends through node A still reaches carol on node B.
    await redis.restart();
    await send(carol.userId, 'after-redis-restart');
    expect(await carolOnB.until('deliver', 30_000)).toMatchObject({ messageId: 'after-redis-restart' });
  });

  it('a device reads its queue rather than take a newer envelope first: nothing another node committed is skipped', { timeout: 120_000 }, async () => {
    const redis = await startScratchRedis();
    cleanups.push(() => redis.stop());
    const url = await cluster.createDatabase();
    const env = { PARLEY_RATE_LIMITS: 'off', PARLEY_DATABASE_URL: url, PARLEY_REDIS_URL: redis.url };
    const b = await node(env);
    const onB = new TestApi(b.addresses.api);
    const alice = await onB.register(new TestIdentity().account('alice'));
    const bob = await onB.register(new TestIdentity().account('bob'));
    const bobOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, bob.token);
    await bobOnB.settle();

    // A third node commits an envelope for Bob and dies before its "look again" note leaves it
    // (or the note is still on its way): here, a store on the same database, telling nobody.
    const elsewhere = new PostgresStorage({ url, clock: systemClock });
    cleanups.push(() => elsewhere.close());
    await elsewhere.open();
    const orphan = { sender: { userId: alice.userId, deviceId: 1 }, to: bob.userId, messageId: 'committed-elsewhere', messages: [{ deviceId: 1, type: 2, ciphertext: randomBytes(32) }] };
    expect(await elsewhere.commitRelayWrites(testWrites([orphan]))).toMatchObject([{ kind: 'queued' }]);

    // Alice's next message goes through node B: Bob gets the older envelope first, then hers,
    // without reconnecting (node B must not send its own newer one past the older in the queue).
    const aliceOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, alice.token);
    await aliceOnB.settle();
    aliceOnB.send({ t: 'send', id: 'through-b', to: bob.userId, messages: [{ deviceId: 1, type: 2, ciphertext: randomBytes(32).toString('base64') }] });
    expect(await aliceOnB.until('result', 10_000)).toMatchObject({ ref: 'through-b', ok: true });
    const first = await bobOnB.until('deliver', 10_000);
    const second = await bobOnB.until('deliver', 10_000);
    expect([first.messageId, second.messageId]).toEqual(['committed-elsewhere', 'through-b']);
  });

  it('shares the API and blob-download rate limits between nodes through Redis; without Redis each node limits alone', { timeout: 120_000 }, async () => {
    // Requests without a token are limited per address (DEFAULT_RATE_LIMITS.anonymous: a burst of
    // 20, then 1 a second); 40 of them alternate between the two nodes as fast as they go.
    const { burst } = DEFAULT_RATE_LIMITS.anonymous;
    const allowedOf = async (nodes: ChildServer[]) => {
      let allowed = 0;
      for (let i = 0; i < 2 * burst; i++) {
        const answer = await fetch(`${nodes[i % 2]!.addresses.api}/api/link/requests/${'0'.repeat(32)}`);
        if (answer.status !== 429) allowed += 1;
      }
      return allowed;
    };
    const redis = await startScratchRedis();
    cleanups.push(() => redis.stop());
    const sharedUrl = await cluster.createDatabase();
    const shared = await Promise.all([0, 1].map(() => node({ PARLEY_DATABASE_URL: sharedUrl, PARLEY_REDIS_URL: redis.url })));
    // As on one node: the burst, plus at most a token a second for the time the requests took.
    const sharedAllowed = await allowedOf(shared);
    expect(sharedAllowed).toBeGreaterThanOrEqual(burst);
    expect(sharedAllowed).toBeLessThan(1.5 * burst);
    // Blob downloads carry no token and have their own bucket per address (a burst of 200, then 20
    // a second): shared too, so a second node is no way to fetch twice as fast.
    const downloads = DEFAULT_BLOB_LIMITS.downloadRate.burst;
    let downloadsAllowed = 0;
    for (let i = 0; i < 2 * downloads; i++) {
      const answer = await fetch(`${shared[i % 2]!.addresses.api}/api/blobs/${'A'.repeat(22)}`);
      if (answer.status !== 429) downloadsAllowed += 1;
    }
    expect(downloadsAllowed).toBeGreaterThanOrEqual(downloads);
    expect(downloadsAllowed).toBeLessThan(1.5 * downloads);
    const url = await cluster.createDatabase();
    const alone = await Promise.all([0, 1].map(() => node({ PARLEY_DATABASE_URL: url })));
    expect(await allowedOf(alone)).toBe(2 * burst);
  });

  it('runs the sweeps on one node (a lease in the database); when that node dies another takes them over', { timeout: 120_000 }, async () => {
    const url = await cluster.createDatabase();
    const env = { PARLEY_DATABASE_URL: url, PARLEY_LEADER_LEASE_MS: '1500' };
    const a = await node(env);
    const b = await node(env);
    const leases = new PostgresStorage({ url, clock: systemClock });
    cleanups.push(() => leases.close());
    await leases.open();
    const pidOf = async (name: string) => Number((await leases.lease(name))?.holder.split('/')[1]);
    const eventually = async (what: string, check: () => Promise<boolean>) => {
      const deadline = Date.now() + 15_000;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`not within 15 s: ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };
    // A started first: it leads the sweeps of the database.
    expect(await pidOf('sweeps')).toBe(a.process.pid);
    // Several lease periods later A still leads (it renews); B only tries.
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await pidOf('sweeps')).toBe(a.process.pid);

    a.process.kill('SIGKILL');
    await a.exited;
    await eventually('node B leads the sweeps', async () => (await pidOf('sweeps')) === b.process.pid);
  });

  it('refuses to start a node whose manifest keys or SFU room key differ from the other nodes\', saying which file to copy', { timeout: 120_000 }, async () => {
    // Group calls on (a Janus nobody answers at: the pool keeps retrying), so the room key counts.
    const env = { PARLEY_DATABASE_URL: await cluster.createDatabase(), PARLEY_JANUS: 'ws://127.0.0.1:9' };
    await node(env);
    const own = await tempFolder();
    cleanups.push(() => own.remove());
    // Its own data folder: it made keys of its own.
    await expect(node(env, own.path)).rejects.toThrow(/manifest signing keys \(.*manifest-signing-keys\.json.*\) are not the keys the other nodes on this database sign with.*copy the key file/);
    copyFileSync(join(sharedFolder!, MANIFEST_KEY_FILE_NAME), join(own.path, MANIFEST_KEY_FILE_NAME));
    await expect(node(env, own.path)).rejects.toThrow(/SFU room key \(.*sfu-room-key\) is not the key the other nodes on this database use/);
    copyFileSync(join(sharedFolder!, ROOM_KEY_FILE_NAME), join(own.path, ROOM_KEY_FILE_NAME));
    const b = await node(env, own.path);
    expect((await fetch(`${b.addresses.api}/api/health`)).status).toBe(200);
  });

  it('without Redis, delivers across nodes by polling the queues (PARLEY_QUEUE_POLL_MS), no reconnect needed', { timeout: 120_000 }, async () => {
    const env = { PARLEY_RATE_LIMITS: 'off', PARLEY_DATABASE_URL: await cluster.createDatabase(), PARLEY_QUEUE_POLL_MS: '200' };
    const [a, b] = await Promise.all([node(env), node(env)]);
    const onA = new TestApi(a.addresses.api);
    const alice = await onA.register(new TestIdentity().account('alice'));
    const bob = await onA.register(new TestIdentity().account('bob'));
    const bobOnB = await TestRelayClient.signedIn(b.addresses.api, RELAY_PATH, bob.token);
    await bobOnB.settle();
    const aliceOnA = await TestRelayClient.signedIn(a.addresses.api, RELAY_PATH, alice.token);
    await aliceOnA.settle();
    aliceOnA.send({ t: 'send', id: 'polled', to: bob.userId, messages: [{ deviceId: 1, type: 2, ciphertext: randomBytes(32).toString('base64') }] });
    expect(await aliceOnA.until('result', 10_000)).toMatchObject({ ref: 'polled', ok: true });
    expect(await bobOnB.until('deliver', 10_000)).toMatchObject({ messageId: 'polled' });
  });
});
