/**
 * Two server processes on one PostgreSQL and one Redis (issue 22, milestone 3): a message queued on
 * one node reaches a device connected to the other at once ("look again"), a device connecting on
 * the other node displaces its older connection, removing a device on one node closes its socket
 * on the other, and after Redis lost everything both nodes still deliver across. Without Redis,
 * polling the queues (PARLEY_QUEUE_POLL_MS) still delivers across, later.
 */
import { randomBytes } from 'node:crypto';
import { RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from '../testing/child-server.js';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.js';
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

  async function node(env: NodeJS.ProcessEnv): Promise<ChildServer> {
    const folder = await tempFolder();
    cleanups.push(() => folder.remove());
    const child = await startChildServer(folder.path, env);
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
