/**
 * A device whose relay connection dropped comes back through another node within the disconnect
 * grace (issue 22): its connection is gone from the first node, it reconnects wherever the load
 * balancer sends it and joins its group call again, forwarded to the call's owner. When the first
 * node's grace runs out, its leave must not take that fresh join away: the device is in the call
 * through another connection now. A device that does not come back still leaves after the grace.
 *
 * Three routers on one database stand for three nodes; node A owns the call and runs the real
 * gateway and registry (rooms and Janus handles faked); the node link is in memory.
 */
import type { ServerFrame, SfuRequest, SfuRequestFrame } from '@parley/contracts';
import type { VideoRoomHandle } from 'janode/plugins/videoroom';
import { systemClock } from '@parley/clock';
import { pino } from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../limits/rate-limiter.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import type { DeviceAddress } from '../storage/storage.js';
import { tempFolder } from '../testing/test-support.js';
import { CallLeases, callLeaseName } from './call-leases.js';
import { FakeRooms } from './fake-rooms.js';
import { GroupCalls } from './group-calls.js';
import { RoomSecrets } from './room-secret.js';
import { SfuGateway } from './sfu-gateway.js';
import type { SfuNodeLink } from './sfu-node-link.js';
import { SfuRouter } from './sfu-router.js';

const log = pino({ level: 'silent' });
const GRACE_MS = 15_000;
const alice: DeviceAddress = { userId: 'alice', deviceId: 1 };
const bob: DeviceAddress = { userId: 'bob', deviceId: 1 };

/** A Janus handle that accepts everything: the gateway's join needs one, this test no media. */
function fakeHandle(): VideoRoomHandle {
  return { on: () => undefined, joinPublisher: async () => ({}), detach: async () => undefined } as unknown as VideoRoomHandle;
}

describe('a device reconnecting through another node within the disconnect grace', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Nodes A, B and C on one database; A runs the calls it creates. */
  async function threeNodes() {
    const folder = await tempFolder();
    const storage = new SqliteStorage({ dataDir: folder.path, clock: systemClock });
    await storage.open();
    cleanups.push(async () => {
      await storage.close();
      await folder.remove();
    });
    const routers = new Map<string, SfuRouter>();
    const nodeOf = (nodeId: string) => {
      const leases = new CallLeases({ store: storage, nodeId, clock: systemClock, ttlMs: 600_000, log, onLost: () => undefined });
      const calls = new GroupCalls({ storage, rooms: new FakeRooms(), secrets: RoomSecrets.fromDataDir(folder.path), clock: systemClock, log, emptyCallTimeoutMs: 600_000 });
      const gateway = new SfuGateway({
        calls,
        links: null,
        rooms: { attach: async () => fakeHandle() },
        notify: () => undefined,
        limiter: new RateLimiter(null, systemClock),
        log,
        disconnectGraceMs: GRACE_MS,
      });
      const link: SfuNodeLink = {
        forward: (to: string, device: DeviceAddress, frame: SfuRequestFrame, afterDisconnect = false) =>
          routers.get(to)!.serveForwarded(device, frame, { via: nodeId, ...(afterDisconnect ? { afterDisconnect } : {}) }),
        end: async () => undefined,
        stop: async () => undefined,
      };
      const router = new SfuRouter({ gateway, leases, link, storage, notify: () => undefined, clock: systemClock, log, disconnectGraceMs: GRACE_MS });
      routers.set(nodeId, router);
      cleanups.push(async () => {
        await router.stop();
        await gateway.stop();
        await leases.stop();
      });
      return { router, calls, leases };
    };
    return { a: nodeOf('node-a'), b: nodeOf('node-b'), c: nodeOf('node-c') };
  }

  /** The reply to one request of `device` through `router`. */
  function ask(router: SfuRouter, device: DeviceAddress, request: SfuRequest): Promise<ServerFrame> {
    return new Promise((resolve) => router.handle(device, { t: 'sfu', id: `${request.op}-1`, request }, resolve));
  }

  /** Alice starts a call on node A and joins it there; bob is invited. */
  async function callOnA(nodes: Awaited<ReturnType<typeof threeNodes>>) {
    const created = await ask(nodes.a.router, alice, { op: 'create', invitees: ['bob'] });
    if (created.t !== 'sfu-result' || typeof created.body?.callId !== 'string') throw new Error(`no call created: ${JSON.stringify(created)}`);
    const callId = created.body.callId;
    expect(await nodes.a.leases.owner(callLeaseName(callId))).toEqual({ mine: true });
    expect(await ask(nodes.a.router, alice, { op: 'join', callId })).toMatchObject({ ok: true });
    return callId;
  }

  const inCall = async (calls: GroupCalls, callId: string) => (await calls.participants(callId)).map((participant) => participant.userId).sort();

  /** Lets the grace run out (fake timers) and whatever it started finish. */
  async function graceRunsOut() {
    await vi.advanceTimersByTimeAsync(GRACE_MS + 1);
    for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
  }

  it('stays in the call when it joined again through a third node, its first node not the owner', async () => {
    const nodes = await threeNodes();
    const callId = await callOnA(nodes);
    expect(await ask(nodes.b.router, bob, { op: 'join', callId })).toMatchObject({ ok: true });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Bob's connection to node B dropped; he is back through node C at once and joins again.
    nodes.b.router.disconnected(bob, () => false);
    expect(await ask(nodes.c.router, bob, { op: 'join', callId })).toMatchObject({ ok: true });
    await graceRunsOut();
    expect(await inCall(nodes.a.calls, callId)).toEqual(['alice', 'bob']);
  });

  it('stays in the call when it joined again through another node, its first node the owner', async () => {
    const nodes = await threeNodes();
    const callId = await callOnA(nodes);
    expect(await ask(nodes.a.router, bob, { op: 'join', callId })).toMatchObject({ ok: true });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    // Back through node C; node A learns of the old connection's end only after the rejoin (the
    // displacement notice and the forwarded join travel apart).
    expect(await ask(nodes.c.router, bob, { op: 'join', callId })).toMatchObject({ ok: true });
    nodes.a.router.disconnected(bob, () => false);
    await graceRunsOut();
    expect(await inCall(nodes.a.calls, callId)).toEqual(['alice', 'bob']);
  });

  it('leaves the call after the grace when it does not come back, wherever it was connected (the call ends when all left)', async () => {
    const nodes = await threeNodes();
    const callId = await callOnA(nodes);
    expect(await ask(nodes.b.router, bob, { op: 'join', callId })).toMatchObject({ ok: true });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    nodes.b.router.disconnected(bob, () => false);
    await graceRunsOut();
    expect(await inCall(nodes.a.calls, callId)).toEqual(['alice']);
    // The same for a device connected to the owner itself.
    expect(await ask(nodes.c.router, bob, { op: 'join', callId })).toMatchObject({ ok: true });
    nodes.c.router.disconnected(bob, () => false);
    nodes.a.router.disconnected(alice, () => false);
    await graceRunsOut();
    await expect(nodes.a.calls.participants(callId)).rejects.toMatchObject({ code: 'call_not_found' });
  });
});
