/**
 * The SFU side of call links through the real gateway and registry on a real SQLite file, with
 * Janus faked at its edge (rooms that accept every token, handles that join): join-link with and
 * without approval, admit, refuse, remove, revoke, guests, and the flags participants carry.
 */
import { randomBytes } from 'node:crypto';
import { CALL_LINK_EXPIRY_MS, type ServerFrame, type SfuEvent, type SfuParticipant, type SfuRequest, type SfuResultFrame } from '@parley/contracts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { RateLimiter } from '../limits/rate-limiter.js';
import { GroupCalls } from '../sfu/group-calls.js';
import type { RoomBackend } from '../sfu/janus-rooms.js';
import { RoomSecrets } from '../sfu/room-secret.js';
import { SfuGateway } from '../sfu/sfu-gateway.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import type { DeviceAddress } from '../storage/storage.js';
import { tempFolder } from '../testing/test-support.js';
import { CallLinkDirectory } from './call-link-directory.js';
import { LinkCalls } from './link-calls.js';
import { type TestCallLink, createBody, testCallLink } from './test-links.js';

const rooms: RoomBackend = {
  available: () => true,
  createRoom: async () => 'ws://janus',
  destroyRoom: async () => undefined,
  setTokenAllowed: async () => undefined,
  adjustLoad: () => undefined,
};
/** A janode VideoRoom handle that joins and publishes without a Janus. */
const fakeHandle = () => ({ on: () => undefined, joinPublisher: async () => ({}), detach: async () => undefined });

describe('call links in the SFU gateway', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let storage: SqliteStorage;
  let clock: ManualClock;
  let calls: GroupCalls;
  let directory: CallLinkDirectory;
  let links: LinkCalls;
  let gateway: SfuGateway;
  /** sfu-event frames each device was sent, by `userId:deviceId`. */
  let inbox: Map<string, Array<{ callId: string; event: SfuEvent }>>;
  const log = pino({ level: 'silent' });
  const alice = { userId: 'alice', deviceId: 1 };
  const bob = { userId: 'bob', deviceId: 1 };
  const carol = { userId: 'carol', deviceId: 1 };
  let guest: DeviceAddress;

  const build = () => {
    calls = new GroupCalls({ storage, rooms, secrets: RoomSecrets.fromDataDir(folder.path), clock, log, emptyCallTimeoutMs: 60_000 });
    directory = new CallLinkDirectory({ storage, clock, log, endCall: (callId, reason) => calls.end(callId, reason) });
    links = new LinkCalls({
      directory,
      storage,
      calls,
      notify: (device, frame) => {
        if (frame.t === 'sfu-event') events(device).push({ callId: frame.callId, event: frame.event });
      },
      log,
    });
    gateway = new SfuGateway({
      calls,
      links,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for janode's handle
      rooms: { attach: async () => fakeHandle() as any },
      notify: (device, frame: ServerFrame) => {
        if (frame.t === 'sfu-event') events(device).push({ callId: frame.callId, event: frame.event });
      },
      limiter: new RateLimiter(null, clock),
      log,
      disconnectGraceMs: 10,
    });
  };
  const events = (device: DeviceAddress) => {
    const key = `${device.userId}:${device.deviceId}`;
    if (!inbox.has(key)) inbox.set(key, []);
    return inbox.get(key)!;
  };
  const kinds = (device: DeviceAddress) => events(device).map((entry) => entry.event.kind);
  let nextId = 1;
  const ask = (device: DeviceAddress, request: SfuRequest) =>
    new Promise<SfuResultFrame>((resolve) => gateway.handle(device, { t: 'sfu', id: String(nextId++), request }, (frame) => resolve(frame as SfuResultFrame)));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answer of the op they sent
  const ok = async (device: DeviceAddress, request: SfuRequest): Promise<any> => {
    const result = await ask(device, request);
    if (!result.ok) throw new Error(`${request.op} failed: ${result.code} ${result.message}`);
    return result.body;
  };
  const joinLink = (device: DeviceAddress, link: Pick<TestCallLink, 'roomId' | 'verifier'>) => ask(device, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
  const newLink = async (approval: boolean, creator = 'alice') => {
    const link = testCallLink();
    await directory.create({ userId: creator, guest: false }, createBody(link, approval));
    return link;
  };
  const account = async (userId: string, displayName: string, isGuest = false) => {
    const key = { keyId: 1, publicKey: new Uint8Array(33), signature: new Uint8Array(64) };
    const keys = { signedPreKey: key, kyberLastResortPreKey: key, oneTimePreKeys: [], kyberOneTimePreKeys: [] };
    await storage.createAccount(
      { userId, handle: `${isGuest ? 'guest.' : ''}${userId.toLowerCase()}`, displayName, identityKey: new Uint8Array(33), guest: isGuest, device: { registrationId: 1, tokenHash: randomBytes(32), keys } },
      clock.now(),
    );
  };

  beforeEach(async () => {
    folder = await tempFolder();
    clock = new ManualClock(1_700_000_000_000);
    storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    inbox = new Map();
    build();
    await account('alice', 'Alice');
    await account('bob', 'Bob');
    guest = { userId: 'Guest1', deviceId: 1 };
    await account(guest.userId, 'Gina (guest)', true);
  });
  afterEach(async () => {
    links.stop();
    await storage.close();
    await folder.remove();
  });

  it('without approval: anyone holding the link joins the link\'s call, flagged viaLink, with display names', async () => {
    const link = await newLink(false);
    const bobJoin = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(bobJoin.callId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(bobJoin.self).toMatchObject({ index: 0, userId: 'bob', viaLink: true, displayName: 'Bob' });
    expect(bobJoin.self.guest).toBeUndefined();
    expect(bobJoin.participants).toEqual([]);
    // The link's call is an ordinary group call created by the link's creator; the link records it and its use.
    expect(await storage.groupCall(bobJoin.callId)).toMatchObject({ creator: 'alice', invitees: ['alice', 'bob'] });
    expect(await storage.callLink(link.roomId)).toMatchObject({ callId: bobJoin.callId, lastUsedAt: clock.now() });

    const aliceJoin = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(aliceJoin.callId).toBe(bobJoin.callId);
    expect(aliceJoin.self).toEqual(expect.objectContaining({ index: 1, displayName: 'Alice' }));
    expect(aliceJoin.self.viaLink).toBeUndefined();
    expect(aliceJoin.participants).toEqual([expect.objectContaining({ index: 0, viaLink: true, displayName: 'Bob' })]);
    expect(events(bob)).toEqual([{ callId: bobJoin.callId, event: { kind: 'joined', participant: expect.objectContaining({ index: 1, displayName: 'Alice' }) } }]);

    // A guest: flagged guest and viaLink, in the answer and in the others' events.
    const guestJoin = await ok(guest, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(guestJoin.self).toMatchObject({ guest: true, viaLink: true, displayName: 'Gina (guest)' });
    const seen = events(alice).find((entry) => entry.event.kind === 'joined')?.event as Extract<SfuEvent, { kind: 'joined' }>;
    expect(seen.participant).toMatchObject({ userId: guest.userId, guest: true, viaLink: true });
    // Plain `join` (a rejoin after `restarted`) keeps the flags: the user was let in.
    const rejoin = await ok(guest, { op: 'join', callId: bobJoin.callId });
    expect(rejoin.self).toMatchObject({ guest: true, viaLink: true, index: 3 });
  });

  it('refuses a wrong verifier, a revoked and an expired link with the HTTP codes', async () => {
    const link = await newLink(false);
    expect(await joinLink(bob, { roomId: link.roomId, verifier: testCallLink().verifier })).toMatchObject({ ok: false, code: 'link_not_found' });
    expect(await joinLink(bob, { roomId: 'nope', verifier: 'nope' })).toMatchObject({ ok: false, code: 'link_not_found' });
    clock.advance(CALL_LINK_EXPIRY_MS);
    expect(await joinLink(bob, link)).toMatchObject({ ok: false, code: 'link_expired' });
    const other = await newLink(false);
    await directory.revoke('alice', other.roomId);
    expect(await joinLink(bob, other)).toMatchObject({ ok: false, code: 'link_revoked' });
  });

  it('with approval: the request waits for the creator to join, then admit lets the guest in', async () => {
    const link = await newLink(true);
    const waiting = await ok(guest, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(waiting).toEqual({ waiting: true, requestId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    // Asking again while waiting is the same request.
    expect(await ok(guest, { op: 'join-link', roomId: link.roomId, verifier: link.verifier })).toEqual(waiting);
    const callId = (await storage.callLink(link.roomId))!.callId!;
    expect(await storage.groupCall(callId)).toBeDefined();
    expect(await calls.participants(callId)).toEqual([]);

    // The creator joins: the answer first, then the request.
    const aliceJoin = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(aliceJoin.callId).toBe(callId);
    expect(events(alice)).toEqual([
      { callId, event: { kind: 'join-request', requestId: waiting.requestId, userId: guest.userId, displayName: 'Gina (guest)', guest: true } },
    ]);
    // Only the creator admits: a participant who is not gets not_link_admin.
    expect(await ask(bob, { op: 'admit', callId, requestId: waiting.requestId, admit: true })).toMatchObject({ ok: false, code: 'not_link_admin' });
    expect(await ask(alice, { op: 'admit', callId, requestId: 'no-such-request', admit: true })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await ok(alice, { op: 'admit', callId, requestId: waiting.requestId, admit: true })).toEqual({});
    expect(events(guest)).toEqual([{ callId, event: { kind: 'link-admission', requestId: waiting.requestId, admitted: true } }]);
    const joined = await ok(guest, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(joined).toMatchObject({ callId, self: { guest: true, viaLink: true }, participants: [expect.objectContaining({ userId: 'alice' })] });
  });

  it('with approval: nobody admitting within the empty-call timeout ends the call and refuses the waiting', async () => {
    const link = await newLink(true);
    const waiting = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    const callId = (await storage.callLink(link.roomId))!.callId!;
    clock.advance(60_000);
    await calls.sweep();
    expect(await storage.groupCall(callId)).toBeUndefined();
    expect(events(bob)).toEqual([{ callId, event: { kind: 'link-admission', requestId: waiting.requestId, admitted: false } }]);
    // Asking again starts a new call with a new request.
    const again = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(again.requestId).not.toBe(waiting.requestId);
    expect((await storage.callLink(link.roomId))!.callId).not.toBe(callId);
  });

  it('with approval: a creator already in the call hears at once; a refusal is final for that request', async () => {
    const link = await newLink(true);
    const { callId } = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    const waiting = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(events(alice).map((entry) => entry.event)).toEqual([{ kind: 'join-request', requestId: waiting.requestId, userId: 'bob', displayName: 'Bob', guest: false }]);
    // Plain join with the call id does not get around the approval.
    expect(await ask(bob, { op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
    await ok(alice, { op: 'admit', callId, requestId: waiting.requestId, admit: false });
    expect(events(bob).map((entry) => entry.event)).toEqual([{ kind: 'link-admission', requestId: waiting.requestId, admitted: false }]);
    expect(await ask(alice, { op: 'admit', callId, requestId: waiting.requestId, admit: true })).toMatchObject({ ok: false, code: 'bad_request' });
    // Asking anew makes a new request.
    const again = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(again.waiting).toBe(true);
    expect(again.requestId).not.toBe(waiting.requestId);
  });

  it('turning approval off admits those waiting, but not someone the creator removed', async () => {
    const link = await newLink(true);
    const { callId } = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    const bobWaits = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    await storage.setCallLinkRemoval(callId, carol.userId, true);
    const carolWaits = await ok(carol, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    await directory.update('alice', link.roomId, { approval: false });
    await expect.poll(() => events(bob).map((entry) => entry.event)).toEqual([{ kind: 'link-admission', requestId: bobWaits.requestId, admitted: true }]);
    expect((await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier })).callId).toBe(callId);
    expect(events(carol)).toEqual([]);
    expect(await ok(carol, { op: 'join-link', roomId: link.roomId, verifier: link.verifier })).toEqual(carolWaits);
  });

  it('remove: the creator takes someone out; they cannot come back through the link unless admitted again', async () => {
    const link = await newLink(false);
    const { callId } = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    const bobJoin = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    await ok(carol, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(await ask(carol, { op: 'remove', callId, participant: bobJoin.self.index })).toMatchObject({ ok: false, code: 'not_link_admin' });
    expect(await ask(alice, { op: 'remove', callId, participant: 0 })).toMatchObject({ ok: false, code: 'bad_request' });
    expect(await ask(alice, { op: 'remove', callId, participant: 99 })).toMatchObject({ ok: false, code: 'bad_request' });

    await ok(alice, { op: 'remove', callId, participant: bobJoin.self.index });
    expect(kinds(bob).at(-1)).toBe('removed');
    expect(events(alice).at(-1)?.event).toEqual({ kind: 'left', participant: bobJoin.self.index });
    expect((await calls.participants(callId)).map((p: SfuParticipant) => p.userId)).toEqual(['alice', 'carol']);
    // Out of the call: its requests are refused, and neither `join` nor `join-link` lets it back in.
    expect(await ask(bob, { op: 'publish', callId, jsep: { type: 'offer', sdp: 'v=0' } })).toMatchObject({ ok: false, code: 'not_joined' });
    expect(await ask(bob, { op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
    const waiting = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(waiting.waiting).toBe(true);
    await ok(alice, { op: 'admit', callId, requestId: waiting.requestId, admit: true });
    expect((await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier })).callId).toBe(callId);
  });

  it('lock: only the host locks; a new link joiner is refused call_locked (with or without approval), people in it rejoin, unlock lets in', async () => {
    for (const approval of [false, true]) {
      const link = await newLink(approval);
      const aliceJoin = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
      const callId = aliceJoin.callId as string;
      // The join answer names the host: the link's creator.
      expect(aliceJoin.host).toBe('alice');
      let bobJoin = approval ? null : await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
      if (approval) {
        const waiting = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
        await ok(alice, { op: 'admit', callId, requestId: waiting.requestId, admit: true });
        bobJoin = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
      }
      expect(bobJoin.host).toBe('alice');
      expect(await ask(bob, { op: 'lock', callId, locked: true })).toMatchObject({ ok: false, code: 'not_host' });
      await ok(alice, { op: 'lock', callId, locked: true });
      // Carol is new: refused at once, never put in the waiting list.
      const waitingBefore = links.waitingCount();
      expect(await joinLink(carol, link)).toMatchObject({ ok: false, code: 'call_locked' });
      expect(links.waitingCount()).toBe(waitingBefore);
      expect(await ask(carol, { op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
      // Bob is in the call: his rejoin (after a relay drop) still works, through the link or by id.
      expect((await ok(bob, { op: 'join', callId })).self.userId).toBe('bob');
      expect((await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier })).callId).toBe(callId);
      await ok(alice, { op: 'lock', callId, locked: false });
      const carolAfter = await ok(carol, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
      expect(approval ? carolAfter.waiting : carolAfter.callId).toBe(approval ? true : callId);
      await directory.revoke('alice', link.roomId);
    }
  });

  it('lock: an invited user who is not in a locked group call cannot join it; the host can remove people in a plain group call', async () => {
    const { callId } = await ok(alice, { op: 'create', invitees: ['bob', 'carol'] });
    expect((await ok(alice, { op: 'join', callId })).host).toBe('alice');
    const bobJoin = await ok(bob, { op: 'join', callId });
    await ok(alice, { op: 'lock', callId, locked: true });
    expect(await ask(carol, { op: 'join', callId })).toMatchObject({ ok: false, code: 'call_locked' });
    // Remove: only the host; the host cannot be removed.
    expect(await ask(bob, { op: 'remove', callId, participant: 0 })).toMatchObject({ ok: false, code: 'not_host' });
    expect(await ask(alice, { op: 'remove', callId, participant: 0 })).toMatchObject({ ok: false, code: 'bad_request' });
    await ok(alice, { op: 'remove', callId, participant: bobJoin.self.index });
    expect(kinds(bob).at(-1)).toBe('removed');
    await ok(alice, { op: 'lock', callId, locked: false });
    expect(await ask(bob, { op: 'join', callId })).toMatchObject({ ok: false, code: 'not_invited' });
    expect((await ok(carol, { op: 'join', callId })).self.userId).toBe('carol');
  });

  it('revoking the link ends its call for everyone, and refuses the waiting devices', async () => {
    const link = await newLink(true);
    const { callId } = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    const waiting = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    await directory.revoke('alice', link.roomId);
    expect(events(alice).at(-1)).toEqual({ callId, event: { kind: 'ended' } });
    // The waiting device never learnt the call id: its request is answered, refused.
    expect(events(bob).at(-1)).toEqual({ callId, event: { kind: 'link-admission', requestId: waiting.requestId, admitted: false } });
    expect(links.waitingCount()).toBe(0);
    expect(await storage.groupCall(callId)).toBeUndefined();
    expect(await joinLink(alice, link)).toMatchObject({ ok: false, code: 'link_revoked' });
  });

  it('expiry (the sweep, by the clock) ends a link\'s call still running', async () => {
    const link = await newLink(false);
    const { callId } = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    clock.advance(CALL_LINK_EXPIRY_MS - 1);
    await directory.sweep();
    expect(kinds(bob)).toEqual([]);
    clock.advance(1);
    await directory.sweep();
    expect(events(bob)).toEqual([{ callId, event: { kind: 'ended' } }]);
    expect(await storage.groupCall(callId)).toBeUndefined();
    expect(await joinLink(bob, link)).toMatchObject({ ok: false, code: 'link_expired' });
  });

  it('starts a new call once the last participant left, and keeps the link\'s call across a restart', async () => {
    const link = await newLink(false);
    const first = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    await ok(bob, { op: 'leave', callId: first.callId });
    expect(await storage.groupCall(first.callId)).toBeUndefined();
    const second = await ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(second.callId).not.toBe(first.callId);

    // A restart: new registry and gateway on the same database; the running call is found again.
    links.stop();
    build();
    const again = await ok(alice, { op: 'join-link', roomId: link.roomId, verifier: link.verifier });
    expect(again.callId).toBe(second.callId);
    expect(again.self.index).toBe(1);
  });

  it('lets guests join links but not start group calls; concurrent first joins start one call', async () => {
    expect(await ask(guest, { op: 'create', invitees: ['alice'] })).toMatchObject({ ok: false, code: 'guest_not_allowed' });
    const link = await newLink(false);
    const [a, b] = await Promise.all([
      ok(bob, { op: 'join-link', roomId: link.roomId, verifier: link.verifier }),
      ok(carol, { op: 'join-link', roomId: link.roomId, verifier: link.verifier }),
    ]);
    expect(a.callId).toBe(b.callId);
  });
});
