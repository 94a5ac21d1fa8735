/**
 * One node runs each group call (issue 22, milestone 4), without Janus or Redis: the call leases
 * of two nodes on one database, the registry's use of them (the lock as stored call state, the
 * sweep, a call taken over), and the router's choices (serve here, forward, re-route, take over
 * from a dead owner). The real thing with two server processes: call-owner.janus.test.ts.
 */
import type { ServerFrame, SfuEvent, SfuRequest, SfuRequestFrame } from '@parley/contracts';
import { systemClock } from '@parley/clock';
import { ManualClock } from '@parley/clock/testing';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import type { DeviceAddress } from '../storage/storage.js';
import { tempFolder } from '../testing/test-support.js';
import { CallLeases, callLeaseName } from './call-leases.js';
import { FakeRooms } from './fake-rooms.js';
import { GroupCalls } from './group-calls.js';
import { RoomSecrets } from './room-secret.js';
import type { SfuGateway } from './sfu-gateway.js';
import { type ForwardedReply, NodeUnreachableError, type SfuNodeLink } from './sfu-node-link.js';
import { SfuRouter } from './sfu-router.js';

const log = pino({ level: 'silent' });
const alice: DeviceAddress = { userId: 'alice', deviceId: 1 };
const bob: DeviceAddress = { userId: 'bob', deviceId: 1 };
const carol: DeviceAddress = { userId: 'carol', deviceId: 1 };

describe('call ownership', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database(clock: ManualClock | typeof systemClock) {
    const folder = await tempFolder();
    const storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    cleanups.push(async () => {
      await storage.close();
      await folder.remove();
    });
    return { storage, folder: folder.path };
  }

  function leasesOf(storage: SqliteStorage, nodeId: string, clock: ManualClock | typeof systemClock, ttlMs: number, lost: string[] = []) {
    const leases = new CallLeases({ store: storage, nodeId, clock, ttlMs, log, onLost: (name) => lost.push(name) });
    cleanups.push(() => leases.stop());
    return leases;
  }

  it('keeps a lease while its node renews it; a node that missed its renewal and was taken over drops it', async () => {
    const clock = new ManualClock(1_000_000);
    const { storage } = await database(clock);
    const lostOnA: string[] = [];
    const a = leasesOf(storage, 'node-a', clock, 3_000, lostOnA);
    const b = leasesOf(storage, 'node-b', clock, 3_000);
    expect(await a.owner('call:x')).toEqual({ mine: true });
    expect(await b.owner('call:x')).toEqual({ mine: false, holder: 'node-a', expiresAt: 1_003_000 });
    // Renewed in time: still A's after its first expiry.
    clock.advance(2_000);
    await a.renewNow();
    clock.advance(2_000);
    expect(await b.owner('call:x')).toMatchObject({ mine: false, holder: 'node-a' });
    // A stalls past its lease: B takes the call; A learns it on its next renewal.
    clock.advance(3_000);
    expect(await b.owner('call:x')).toEqual({ mine: true });
    await a.renewNow();
    expect(lostOnA).toEqual(['call:x']);
    expect(await a.owner('call:x')).toMatchObject({ mine: false, holder: 'node-b' });
    // Released when the call ends: nobody holds it.
    await b.release('call:x');
    expect(await storage.lease('call:x')).toBeUndefined();
  });

  it('keeps the lock as the call\'s state, ends only calls nobody else runs, and hands a taken-over call on', async () => {
    const clock = new ManualClock(1_700_000_000_000);
    const { storage, folder } = await database(clock);
    const rooms = new FakeRooms();
    const registryOf = (nodeId: string) => {
      // As sfu-service.ts wires them: a lease lost is a call no longer run here.
      const leases = new CallLeases({ store: storage, nodeId, clock, ttlMs: 6_000, log, onLost: (name) => calls.forget(name.slice('call:'.length)) });
      cleanups.push(() => leases.stop());
      const calls: GroupCalls = new GroupCalls({
        storage,
        rooms,
        secrets: RoomSecrets.fromDataDir(folder),
        clock,
        log,
        emptyCallTimeoutMs: 60_000,
        ownership: { own: async (callId) => (await leases.owner(callLeaseName(callId))).mine, release: (callId) => leases.release(callLeaseName(callId)) },
      });
      return { calls, leases };
    };
    const a = registryOf('node-a');
    const { callId } = await a.calls.create(alice, ['bob', 'carol']);
    const aliceEvents: SfuEvent[] = [];
    await a.calls.join(alice, callId, (event) => aliceEvents.push(event));
    await a.calls.setLocked(alice, callId, true);

    // Node B (or A after a restart) reads the lock from storage: carol is refused, the host is not.
    const b = registryOf('node-b');
    expect(await b.calls.lockedOut(callId, carol)).toBe(true);
    await expect(b.calls.join(carol, callId, () => undefined)).rejects.toMatchObject({ code: 'call_locked' });

    // B's sweep leaves the call A runs, however long it has been quiet on B.
    clock.advance(120_000);
    await a.leases.renewNow();
    await b.calls.sweep();
    expect(await storage.groupCall(callId)).toBeDefined();

    // A missed its renewals and B took the call over: A's participants are told to join again.
    clock.advance(10_000);
    expect(await b.leases.owner(callLeaseName(callId))).toEqual({ mine: true });
    await a.leases.renewNow();
    expect(aliceEvents.map((event) => event.kind)).toContain('restarted');
    expect(a.calls.stats().calls).toBe(0);
    // The lock still holds where the call runs now; the host unlocks it there.
    await b.calls.join(alice, callId, () => undefined);
    await b.calls.setLocked(alice, callId, false);
    expect(await storage.groupCall(callId)).not.toHaveProperty('lockedFor');
    // The call ends where it runs, and its lease goes with it.
    await b.calls.end(callId, 'test');
    expect(await storage.lease(callLeaseName(callId))).toBeUndefined();
  });

  describe('the router', () => {
    /** A gateway that answers every request as served on `node`. */
    function gatewayOn(node: string) {
      const served: SfuRequest[] = [];
      const gateway = {
        served,
        handle(_device: DeviceAddress, frame: SfuRequestFrame, reply: (frame: ServerFrame) => void) {
          served.push(frame.request);
          const callId = 'callId' in frame.request ? frame.request.callId : 'new-call';
          reply({ t: 'sfu-result', ref: frame.id, ok: true, body: { node, callId } });
        },
        disconnected() {},
      };
      return gateway;
    }

    /** The reply of one request through `router`. */
    function ask(router: SfuRouter, device: DeviceAddress, request: SfuRequest): Promise<ServerFrame> {
      return new Promise((resolve) => router.handle(device, { t: 'sfu', id: 'r1', request }, resolve));
    }

    async function twoNodes(link: (nodeId: string, device: DeviceAddress, frame: SfuRequestFrame) => Promise<ForwardedReply>, withLink = true) {
      const { storage } = await database(systemClock);
      const leasesA = leasesOf(storage, 'node-a', systemClock, 1_000);
      const leasesB = leasesOf(storage, 'node-b', systemClock, 1_000);
      const notified: Array<{ device: DeviceAddress; frame: ServerFrame }> = [];
      const gateway = gatewayOn('b');
      const nodeLink: SfuNodeLink = { forward: link, end: async () => undefined, stop: async () => undefined };
      const router = new SfuRouter({
        gateway: gateway as unknown as SfuGateway,
        leases: leasesB,
        link: withLink ? nodeLink : null,
        storage,
        notify: (device, frame) => notified.push({ device, frame }),
        clock: systemClock,
        log,
        disconnectGraceMs: 10,
      });
      cleanups.push(() => router.stop());
      return { storage, leasesA, router, gateway, notified };
    }

    it('serves its own calls, forwards others to their owner, and routes again when the owner changed', async () => {
      const forwarded: Array<{ nodeId: string; op: string }> = [];
      let moved = 1;
      const { leasesA, router, gateway } = await twoNodes(async (nodeId, _device, frame) => {
        forwarded.push({ nodeId, op: frame.request.op });
        if (frame.request.op === 'subscribe' && moved-- > 0) return 'moved';
        return { t: 'sfu-result', ref: frame.id, ok: true, body: { node: nodeId } };
      });
      await leasesA.owner(callLeaseName('on-a'));
      expect(await ask(router, bob, { op: 'create', invitees: [] })).toMatchObject({ ok: true, body: { node: 'b' } });
      expect(await ask(router, bob, { op: 'join', callId: 'on-a' })).toMatchObject({ ok: true, body: { node: 'node-a' } });
      expect(await ask(router, bob, { op: 'subscribe', callId: 'on-a', participants: [0] })).toMatchObject({ ok: true, body: { node: 'node-a' } });
      expect(forwarded).toEqual([
        { nodeId: 'node-a', op: 'join' },
        { nodeId: 'node-a', op: 'subscribe' },
        { nodeId: 'node-a', op: 'subscribe' },
      ]);
      expect(gateway.served.map((request) => request.op)).toEqual(['create']);
    });

    it('waits out a dead owner\'s lease, takes the call over, and tells the devices that joined through it to join again', async () => {
      let ownerAlive = true;
      const { leasesA, router, gateway, notified } = await twoNodes(async (_nodeId, _device, frame) => {
        if (!ownerAlive) throw new NodeUnreachableError('node-a is not listening');
        return { t: 'sfu-result', ref: frame.id, ok: true, body: { node: 'node-a' } };
      });
      // Node A runs the call (renewing before each request stands in for its renewal timer).
      await leasesA.owner(callLeaseName('c1'));
      expect(await ask(router, bob, { op: 'join', callId: 'c1' })).toMatchObject({ ok: true, body: { node: 'node-a' } });
      await leasesA.renewNow();
      expect(await ask(router, carol, { op: 'join', callId: 'c1' })).toMatchObject({ ok: true, body: { node: 'node-a' } });
      // Node A dies: it no longer renews, nor answers.
      ownerAlive = false;
      expect(await ask(router, bob, { op: 'join', callId: 'c1' })).toMatchObject({ ok: true, body: { node: 'b', callId: 'c1' } });
      // Carol joined through this node too: she joins again (bob's own join took the call over).
      expect(notified).toEqual([{ device: carol, frame: { t: 'sfu-event', callId: 'c1', event: { kind: 'restarted' } } }]);
      expect(gateway.served.map((request) => request.op)).toEqual(['join']);
    });

    it('without a link between nodes refuses a call another live node runs', async () => {
      const { leasesA, router } = await twoNodes(async () => {
        throw new Error('no link');
      }, false);
      await leasesA.owner(callLeaseName('c1'));
      const reply = await ask(router, bob, { op: 'join', callId: 'c1' });
      expect(reply).toMatchObject({ ok: false, code: 'sfu_unavailable' });
    });
  });
});
