/**
 * Group calls across two server nodes (issue 22, milestone 4): two server processes on one scratch
 * PostgreSQL and Redis, driving two real Janus instances. A device on node B joins a call owned by
 * node A (its requests forwarded, A's events reaching it through Redis); node A is killed (`kill
 * -9`): once A's lease ran out, B tells its device to join again and that join takes the call over,
 * and A's device comes back through B, the host's lock still holding; the Janus holding the room is killed: the room moves to the
 * other Janus and both join again; a call link's call started through B is joined and revoked
 * through A. Needs Janus and the test network namespace (`nx run server:test-janus`).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { RTCPeerConnection } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from '../testing/child-server.js';
import { type ScratchRedis, startScratchRedis } from '../testing/scratch-redis.js';
import { TestAccounts, scratchPostgresPerFile, tempFolder } from '../testing/test-support.js';
import { JanusPool } from './janus-pool.js';
import { JanusSupervisor } from './janus-process.js';
import { janusSkipReason } from './janus-test-prerequisites.js';
import { ROOM_KEY_FILE_NAME } from './room-secret.js';
import { SfuTestDevice } from './sfu-test-client.js';
import { createBody, testCallLink } from '../call-links/test-links.js';

const iceInterface = process.env.PARLEY_JANUS_INTERFACE;
const skipReason = janusSkipReason('call-owner.janus.test.ts');

/** The VideoRoom ids on one Janus instance, through a manager handle with the API secret. */
async function roomsOn(pool: JanusPool, url: string): Promise<number[]> {
  const instance = pool.all().find((candidate) => candidate.url === url);
  if (!instance?.up) return [];
  const response = await (await instance.manager()).message({ request: 'list' });
  const data = (response.plugindata as { data?: { list?: Array<{ room: number }> } } | undefined)?.data;
  return (data?.list ?? []).map((room) => room.room);
}

describe.skipIf(skipReason !== null)('group calls across two nodes', () => {
  const cluster = scratchPostgresPerFile();
  const apiSecret = randomBytes(18).toString('base64url');
  // Every node derives a call's room secret from one key (the deployment gives each node the same file).
  const roomKey = randomBytes(32).toString('base64url');
  const supervisors = [new JanusSupervisor({ iceInterface, apiSecret }), new JanusSupervisor({ iceInterface, apiSecret })];
  const cleanups: Array<() => Promise<unknown>> = [];
  let urls: string[] = [];
  let redis: ScratchRedis;
  let pool: JanusPool;

  beforeAll(async () => {
    redis = await startScratchRedis();
    urls = (await Promise.all(supervisors.map((supervisor) => supervisor.start()))).map((endpoint) => endpoint.url);
    pool = new JanusPool(
      urls.map((url) => ({ url, apiSecret })),
      { log: pino({ level: 'silent' }) },
    );
    await pool.start();
  }, 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    await pool?.stop();
    await Promise.all(supervisors.map((supervisor) => supervisor.stop()));
    await redis?.stop();
  });

  /** A node on its own data folder, or on `shared` (another node's: the releases it published are the same). */
  async function node(env: NodeJS.ProcessEnv, shared?: string): Promise<ChildServer & { folder: string }> {
    let path = shared;
    if (!path) {
      const folder = await tempFolder();
      cleanups.push(() => folder.remove());
      writeFileSync(join(folder.path, ROOM_KEY_FILE_NAME), `${roomKey}\n`, { mode: 0o600 });
      path = folder.path;
    }
    const child = await startChildServer(path, env);
    cleanups.push(async () => {
      child.process.kill('SIGKILL');
      await child.exited;
    });
    return { ...child, folder: path };
  }

  async function device(api: string, token: string): Promise<SfuTestDevice> {
    const connected = await SfuTestDevice.connect(api, token);
    cleanups.push(async () => connected.close());
    return connected;
  }

  it('forwards a call to its owner node, takes it over when that node dies, and moves its room when its Janus dies', { timeout: 120_000 }, async () => {
    const env = {
      PARLEY_RATE_LIMITS: 'off',
      PARLEY_DATABASE_URL: await cluster.createDatabase(),
      PARLEY_REDIS_URL: redis.url,
      PARLEY_JANUS: urls.join(','),
      PARLEY_JANUS_API_SECRET: apiSecret,
      PARLEY_SFU_LEASE_MS: '1500',
      PARLEY_SFU_GRACE_MS: '300',
    };
    // One data folder, one node after the other: every node on one database must sign with the same
    // keys and hold the same release files, or it refuses to start (cluster/same-setup.ts).
    const a = await node(env);
    const b = await node(env, a.folder);
    const accounts = new TestAccounts(() => a.addresses.api);
    const aliceId = (await accounts.of('alice')).userId;
    const bobId = (await accounts.of('bob')).userId;
    const carolId = (await accounts.of('carol')).userId;

    // Alice on node A starts the call (A owns it); bob on node B joins: B forwards to A.
    const aliceOnA = await device(a.addresses.api, await accounts.token('alice'));
    const bobOnB = await device(b.addresses.api, await accounts.token('bob'));
    const { callId } = await aliceOnA.ok({ op: 'create', invitees: [bobId, carolId] });
    const aliceJoin = await aliceOnA.ok({ op: 'join', callId });
    const bobJoin = await bobOnB.ok({ op: 'join', callId });
    expect(bobJoin.host).toBe(aliceId);
    expect(bobJoin.participants.map((p) => p.index)).toEqual([aliceJoin.self.index]);
    expect((await aliceOnA.event('joined')).participant.userId).toBe(bobId);

    // Alice publishes real media on A's Janus handle; bob, on B, hears of it from A and subscribes through B.
    const pc = new RTCPeerConnection();
    cleanups.push(() => pc.close());
    pc.addTransceiver('audio', { direction: 'sendonly' });
    await pc.setLocalDescription(await pc.createOffer());
    const connected = new Promise<void>((resolve) => pc.connectionStateChange.subscribe((state) => state === 'connected' && resolve()));
    const published = await aliceOnA.ok({ op: 'publish', callId, jsep: { type: 'offer', sdp: pc.localDescription!.sdp } });
    await pc.setRemoteDescription({ type: 'answer', sdp: published.jsep.sdp });
    await connected;
    expect((await bobOnB.event('published')).participant.index).toBe(aliceJoin.self.index);
    const subscription = await bobOnB.ok({ op: 'subscribe', callId, participants: [aliceJoin.self.index] });
    expect(subscription.jsep?.type).toBe('offer');
    expect(subscription.streams.map((stream) => stream.participant)).toEqual([aliceJoin.self.index]);
    // The host locks the call on A: stored with it, so it holds wherever the call runs next.
    await aliceOnA.ok({ op: 'lock', callId, locked: true });
    const [firstRoom] = [...(await roomsOn(pool, urls[0]!)), ...(await roomsOn(pool, urls[1]!))];
    expect(firstRoom).toBeDefined();

    // Node A dies. Once its lease ran out, B tells bob to join again; his join takes the call over.
    a.process.kill('SIGKILL');
    await a.exited;
    await bobOnB.event('restarted', 10_000);
    const bobAgain = await bobOnB.ok({ op: 'join', callId });
    // The call is the same stored call: indexes continue, the host is still alice.
    expect(bobAgain.self.index).toBeGreaterThan(bobJoin.self.index);
    expect(bobAgain.host).toBe(aliceId);
    // Alice's device, whose node died, reconnects through B and is back in the call with bob.
    const aliceOnB = await device(b.addresses.api, await accounts.token('alice'));
    const aliceAgain = await aliceOnB.ok({ op: 'join', callId });
    expect(aliceAgain.participants.map((p) => p.userId)).toEqual([bobId]);
    expect((await bobOnB.event('joined')).participant.index).toBe(aliceAgain.self.index);
    // Carol was invited, but the host's lock outlived node A.
    const carolOnB = await device(b.addresses.api, await accounts.token('carol'));
    expect(await carolOnB.request({ op: 'join', callId })).toMatchObject({ ok: false, code: 'call_locked' });
    // One room, recreated by B (the stale one of A replaced), on one of the two Janus.
    const holding = [];
    for (const url of urls) if ((await roomsOn(pool, url)).includes(firstRoom!)) holding.push(url);
    expect(holding).toHaveLength(1);

    // The Janus holding the room dies: both are told to join again, and the room moves to the other one.
    const dying = urls.indexOf(holding[0]!);
    await supervisors[dying]!.stop();
    await Promise.all([bobOnB.event('restarted', 10_000), aliceOnB.event('restarted', 10_000)]);
    await aliceOnB.ok({ op: 'join', callId });
    const bobLast = await bobOnB.ok({ op: 'join', callId });
    expect(bobLast.participants.map((p) => p.userId)).toEqual([aliceId]);
    expect(await roomsOn(pool, urls[1 - dying]!)).toContain(firstRoom);

    // A call link across nodes, with node A started again: bob opens it through B (B starts and
    // runs its call), alice's join through the link on A reaches that call; revoking the link
    // through A ends the call where it runs, for both.
    const a2 = await node(env, b.folder);
    const link = testCallLink();
    const created = await fetch(`${a2.addresses.api}/api/call-links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await accounts.token('alice')}`, 'content-type': 'application/json' },
      body: JSON.stringify(createBody(link)),
    });
    expect(created.status).toBe(201);
    const joinLink = { op: 'join-link', roomId: link.roomId, verifier: link.verifier } as const;
    const bobLink = await bobOnB.ok(joinLink);
    if (!('callId' in bobLink)) throw new Error('bob was made to wait on a link without approval');
    const aliceOnA2 = await device(a2.addresses.api, await accounts.token('alice'));
    const aliceLink = await aliceOnA2.ok(joinLink);
    if (!('self' in aliceLink)) throw new Error('alice was made to wait on her own link');
    expect(aliceLink.callId).toBe(bobLink.callId);
    expect(aliceLink.participants.map((p) => p.userId)).toEqual([bobId]);
    const revoked = await fetch(`${a2.addresses.api}/api/call-links/${link.roomId}`, { method: 'DELETE', headers: { authorization: `Bearer ${await accounts.token('alice')}` } });
    expect(revoked.status).toBe(204);
    await Promise.all([aliceOnA2.event('ended'), bobOnB.event('ended')]);
  });
});
