/**
 * The contract every storage backend must pass, one `describe` per aggregate. Each backend's
 * test file calls describeStorageContract with a harness that makes a fresh, empty store; the
 * "two nodes" cases open a second store on the same database and race the two, as two server
 * processes on one PostgreSQL (or one SQLite file) would.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from './migrations.js';
import type { CallLinkRecord, NewAccount, NewDevice, OutgoingMessage, QueueQuota, RelayWrites, Storage } from './storage.js';

/** How a backend's test makes its stores. */
export interface StorageHarness {
  /** A new empty database, opened (migrated). Closed by the suite. */
  fresh(): Promise<Storage>;
  /** A second store on the database of `first`, opened: another node. Closed by the suite. */
  peer(first: Storage): Promise<Storage>;
}

const QUOTA: QueueQuota = { queueEnvelopes: 10_000, queueBytes: 100 * 1024 * 1024 };

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const hex = (value: Uint8Array | null | undefined) => (value ? Buffer.from(value).toString('hex') : value);
const signed = (keyId: number) => ({ keyId, publicKey: bytes(33, keyId), signature: bytes(64, 7) });

/** A device with `oneTime` one-time keys of each kind: EC ids 10…, Kyber ids 20…. */
export function testDevice(token: number, oneTime = 2): NewDevice {
  return {
    registrationId: 7,
    tokenHash: bytes(32, token),
    keys: {
      signedPreKey: signed(1),
      kyberLastResortPreKey: signed(2),
      oneTimePreKeys: Array.from({ length: oneTime }, (_, i) => ({ keyId: 10 + i, publicKey: bytes(33, 10 + i) })),
      kyberOneTimePreKeys: Array.from({ length: oneTime }, (_, i) => signed(20 + i)),
    },
  };
}

/** An account with handle = id and a first device holding token `token`. */
export function testAccount(userId: string, token: number, options: { oneTime?: number; guest?: boolean } = {}): NewAccount {
  return { userId, handle: userId, displayName: `${userId} name`, identityKey: bytes(33, 5), device: testDevice(token, options.oneTime), guest: options.guest };
}

/** A `send` from alice's device 1 to `to`'s devices. */
export function testSend(messageId: string, to = 'bob', deviceIds = [1], size = 8): OutgoingMessage {
  return {
    sender: { userId: 'alice', deviceId: 1 },
    to,
    messageId,
    messages: deviceIds.map((deviceId) => ({ deviceId, type: 2, ciphertext: bytes(size, deviceId) })),
  };
}

/** Writes of one batch with no acks unless given. */
export function testWrites(sends: OutgoingMessage[], acks: RelayWrites['acks'] = [], quota = QUOTA): RelayWrites {
  return { sends, acks, now: 9, quota };
}

const link = (roomId: string, overrides: Partial<CallLinkRecord> = {}): CallLinkRecord => ({
  roomId,
  verifierHash: bytes(32, 3),
  encryptedName: bytes(40, 4),
  approval: false,
  creator: 'alice',
  createdAt: 1_000,
  lastUsedAt: 1_000,
  revokedAt: null,
  callId: null,
  ...overrides,
});

/** Registers the contract's tests for one backend. */
export function describeStorageContract(backend: string, harness: StorageHarness): void {
  const open: Storage[] = [];
  const fresh = async () => {
    const storage = await harness.fresh();
    open.push(storage);
    return storage;
  };
  const peer = async (first: Storage) => {
    const storage = await harness.peer(first);
    open.push(storage);
    return storage;
  };
  /** A store with accounts alice and bob (one device each, two one-time keys of each kind). */
  const withAliceAndBob = async () => {
    const storage = await fresh();
    await storage.createAccount(testAccount('alice', 1), 5);
    await storage.createAccount(testAccount('bob', 2), 5);
    return storage;
  };
  const bob1 = { userId: 'bob', deviceId: 1 };

  describe(`storage contract: ${backend}`, () => {
    // Closed after each test, whichever way it ended.
    afterEach(async () => {
      for (const storage of open.splice(0)) await storage.close();
    });

    describe('schema and meta', () => {
      it('records every migration once under the shared numbers, and applies none again', async () => {
        const storage = await fresh();
        expect((await storage.appliedMigrations()).map((m) => [m.version, m.name])).toEqual(MIGRATIONS.map((m) => [m.version, m.name]));
        expect(await storage.migrate()).toEqual([]);
        const other = await peer(storage);
        expect(await other.migrate()).toEqual([]);
      });

      it('overwrites a meta value and reports a missing one as undefined', async () => {
        const storage = await fresh();
        expect(await storage.getMeta('k')).toBeUndefined();
        await storage.setMeta('k', 'one');
        await storage.setMeta('k', 'two');
        expect(await storage.getMeta('k')).toBe('two');
      });

      it('claims a meta value once: the first of two nodes at once wins, and both read it', async () => {
        const storage = await fresh();
        const other = await peer(storage);
        const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : storage).claimMeta('fingerprint', `v${i}`)));
        expect(new Set(claims).size).toBe(1);
        expect(await other.getMeta('fingerprint')).toBe(claims[0]);
        expect(await storage.claimMeta('fingerprint', 'later')).toBe(claims[0]);
      });
    });

    describe('accounts and devices', () => {
      it('keeps handles unique and finds accounts and devices by handle, id and token hash', async () => {
        const storage = await withAliceAndBob();
        expect(await storage.createAccount({ ...testAccount('other', 3), handle: 'alice' }, 5)).toBe('handle_taken');
        expect(await storage.accountById('other')).toBeUndefined();
        const alice = await storage.accountByHandle('alice');
        expect(alice).toMatchObject({ userId: 'alice', displayName: 'alice name', createdAt: 5, guest: false });
        expect(hex(alice!.identityKey)).toBe(hex(bytes(33, 5)));
        expect(await storage.accountById('alice')).toEqual(alice);
        const owner = await storage.deviceByTokenHash(bytes(32, 2));
        expect(owner).toMatchObject({ userId: 'bob', deviceId: 1, lastSeenAt: 5 });
        expect(hex(owner!.tokenHash)).toBe(hex(bytes(32, 2)));
        expect(await storage.deviceByTokenHash(bytes(32, 9))).toBeUndefined();
        expect(await storage.devices('bob')).toEqual([{ deviceId: 1, registrationId: 7, createdAt: 5, lastSeenAt: 5 }]);
      });

      it('touches a device and removes it with its keys and queue', async () => {
        const storage = await withAliceAndBob();
        await storage.touchDevice(bob1, 77);
        expect((await storage.devices('bob'))[0]!.lastSeenAt).toBe(77);
        await storage.commitRelayWrites(testWrites([testSend('m1')]));
        expect(await storage.removeDevice(bob1)).toBe(true);
        expect(await storage.removeDevice(bob1)).toBe(false);
        expect(await storage.devices('bob')).toEqual([]);
        expect(await storage.pendingEnvelopes(bob1, 0, 10)).toEqual([]);
        expect(await storage.preKeyCounts(bob1)).toEqual({ oneTimePreKeys: 0, kyberOneTimePreKeys: 0 });
        expect(await storage.queuedEnvelopeCount?.()).toBe(0);
      });

      it('deletes an account with its devices, queue and beta opt-in', async () => {
        const storage = await withAliceAndBob();
        await storage.setBetaOptIn('bob', true, 5);
        await storage.commitRelayWrites(testWrites([testSend('m1')]));
        expect(await storage.deleteAccount('bob')).toBe(true);
        expect(await storage.deleteAccount('bob')).toBe(false);
        expect(await storage.accountById('bob')).toBeUndefined();
        expect(await storage.deviceByTokenHash(bytes(32, 2))).toBeUndefined();
        expect(await storage.betaOptIn('bob')).toBe(false);
        expect(await storage.pendingEnvelopes(bob1, 0, 10)).toEqual([]);
        // The handle is free again.
        expect(await storage.createAccount(testAccount('bob', 2), 6)).toBe('created');
      });
    });

    describe('device sweeps', () => {
      it('lists idle guests and unseen devices, and drops a device only if still unseen', async () => {
        const storage = await withAliceAndBob();
        await storage.createAccount(testAccount('guest', 3, { guest: true }), 5);
        expect((await storage.accountById('guest'))?.guest).toBe(true);
        await storage.touchDevice({ userId: 'alice', deviceId: 1 }, 3);
        await storage.touchDevice(bob1, 50);
        expect(await storage.idleGuestAccounts(6)).toEqual(['guest']);
        expect(await storage.idleGuestAccounts(5)).toEqual([]);
        // Longest unseen first.
        expect(await storage.unseenDevices(60, 10)).toEqual([{ userId: 'alice', deviceId: 1 }, { userId: 'guest', deviceId: 1 }, bob1]);
        expect(await storage.unseenDevices(60, 1)).toEqual([{ userId: 'alice', deviceId: 1 }]);
        expect(await storage.dropUnseenDevice(bob1, 40)).toBe('kept');
        expect(await storage.dropUnseenDevice(bob1, 60)).toBe('account_deleted');
        expect(await storage.accountById('bob')).toBeUndefined();
      });

      it('keeps the account when another device is left', async () => {
        const storage = await withAliceAndBob();
        await linkDevice(storage, 'alice', 30);
        expect(await storage.dropUnseenDevice({ userId: 'alice', deviceId: 1 }, 6)).toBe('device_removed');
        expect((await storage.devices('alice')).map((d) => d.deviceId)).toEqual([2]);
      });
    });

    describe('prekeys', () => {
      it('consumes one-time keys in key order and then falls back to the last-resort Kyber key', async () => {
        const storage = await withAliceAndBob();
        const takes = [];
        for (let i = 0; i < 3; i++) takes.push((await storage.takePreKeyBundles('bob'))[0]!);
        expect(takes.map((b) => b.preKey?.keyId)).toEqual([10, 11, undefined]);
        expect(takes.map((b) => b.kyberPreKey.keyId)).toEqual([20, 21, 2]);
        expect(takes.map((b) => b.remaining)).toEqual([
          { oneTimePreKeys: 1, kyberOneTimePreKeys: 1 },
          { oneTimePreKeys: 0, kyberOneTimePreKeys: 0 },
          { oneTimePreKeys: 0, kyberOneTimePreKeys: 0 },
        ]);
        expect(takes[0]).toMatchObject({ deviceId: 1, registrationId: 7, signedPreKey: { keyId: 1 } });
        expect(hex(takes[0]!.signedPreKey.signature)).toBe(hex(bytes(64, 7)));
        expect(hex(takes[0]!.preKey!.publicKey)).toBe(hex(bytes(33, 10)));
        expect(await storage.takePreKeyBundles('nobody')).toEqual([]);
        expect(await storage.takePreKeyBundles('bob', 5)).toEqual([]);
      });

      it('stores keys up to the caps, replacing a key id uploaded again, and stores nothing past them', async () => {
        const storage = await withAliceAndBob();
        const caps = { oneTimePreKeys: 3, kyberOneTimePreKeys: 3 };
        // Id 10 again replaces its key; 12 is new.
        const again = { oneTimePreKeys: [10, 12].map((keyId) => ({ keyId, publicKey: bytes(33, 99) })) };
        expect(await storage.storeKeys(bob1, again, caps)).toBe('stored');
        expect(await storage.preKeyCounts(bob1)).toEqual({ oneTimePreKeys: 3, kyberOneTimePreKeys: 2 });
        const tooMany = { signedPreKey: signed(50), oneTimePreKeys: [{ keyId: 13, publicKey: bytes(33) }] };
        expect(await storage.storeKeys(bob1, tooMany, caps)).toBe('too_many_prekeys');
        expect(await storage.preKeyCounts(bob1)).toEqual({ oneTimePreKeys: 3, kyberOneTimePreKeys: 2 });
        const [bundle] = await storage.takePreKeyBundles('bob');
        expect(bundle!.signedPreKey.keyId).toBe(1);
        expect(hex(bundle!.preKey!.publicKey)).toBe(hex(bytes(33, 99)));
        expect(await storage.storeKeys(bob1, { signedPreKey: signed(51), kyberLastResortPreKey: signed(52) }, caps)).toBe('stored');
        expect((await storage.takePreKeyBundles('bob'))[0]).toMatchObject({ signedPreKey: { keyId: 51 } });
      });

      it('never hands one key out twice to concurrent fetches on two nodes', async () => {
        const storage = await fresh();
        await storage.createAccount(testAccount('bob', 2, { oneTime: 40 }), 5);
        const other = await peer(storage);
        const fetches = Array.from({ length: 60 }, (_, i) => (i % 2 ? other : storage).takePreKeyBundles('bob'));
        const keys = (await Promise.all(fetches)).map(([bundle]) => bundle!.preKey?.keyId).filter((id) => id !== undefined);
        expect(keys).toHaveLength(40);
        expect(new Set(keys).size).toBe(40);
      });
    });

    describe('relay queue', () => {
      it('checks a send against the recipient\'s devices and queues it once per device, idempotently', async () => {
        const storage = await withAliceAndBob();
        const [queued] = await storage.commitRelayWrites(testWrites([testSend('m1')]));
        expect(queued).toMatchObject({ kind: 'queued', envelopes: [{ recipient: bob1, sender: { userId: 'alice', deviceId: 1 }, messageId: 'm1', type: 2, serverTimestamp: 9 }] });
        expect(await storage.commitRelayWrites(testWrites([testSend('m1')]))).toEqual([{ kind: 'queued', envelopes: [] }]);
        expect(await storage.commitRelayWrites(testWrites([testSend('m2', 'bob', [1, 2])]))).toEqual([{ kind: 'devices_changed', missing: [], extra: [2] }]);
        expect(await storage.commitRelayWrites(testWrites([testSend('m2', 'bob', [])]))).toEqual([{ kind: 'devices_changed', missing: [1], extra: [] }]);
        expect(await storage.commitRelayWrites(testWrites([testSend('m3', 'nobody')]))).toEqual([{ kind: 'unknown_user' }]);
        const pending = await storage.pendingEnvelopes(bob1, 0, 10);
        expect(pending.map((e) => [e.messageId, hex(e.ciphertext)])).toEqual([['m1', hex(bytes(8, 1))]]);
        expect(pending[0]!.seq).toBe((queued as { envelopes: Array<{ seq: number }> }).envelopes[0]!.seq);
        expect(await storage.queuedEnvelopeCount?.()).toBe(1);
        await storage.commitRelayWrites(testWrites([], [{ ...bob1, seq: pending[0]!.seq }]));
        expect(await storage.pendingEnvelopes(bob1, 0, 10)).toEqual([]);
      });

      it('never sends a copy back to the sending device, and wants one for the sender\'s other devices', async () => {
        const storage = await withAliceAndBob();
        await linkDevice(storage, 'alice', 30);
        expect(await storage.commitRelayWrites(testWrites([testSend('self', 'alice', [])]))).toEqual([{ kind: 'devices_changed', missing: [2], extra: [] }]);
        const [outcome] = await storage.commitRelayWrites(testWrites([testSend('self', 'alice', [2])]));
        expect(outcome).toMatchObject({ kind: 'queued', envelopes: [{ recipient: { userId: 'alice', deviceId: 2 } }] });
      });

      it('reads a device\'s queue in order after a position, a page at a time', async () => {
        const storage = await withAliceAndBob();
        const outcomes = await storage.commitRelayWrites(testWrites(Array.from({ length: 5 }, (_, i) => testSend(`m${i}`))));
        expect(outcomes.every((o) => o.kind === 'queued' && o.envelopes.length === 1)).toBe(true);
        const first = await storage.pendingEnvelopes(bob1, 0, 2);
        expect(first.map((e) => e.messageId)).toEqual(['m0', 'm1']);
        const rest = await storage.pendingEnvelopes(bob1, first[1]!.seq, 10);
        expect(rest.map((e) => e.messageId)).toEqual(['m2', 'm3', 'm4']);
        expect(rest.map((e) => e.seq)).toEqual([...rest.map((e) => e.seq)].sort((a, b) => a - b));
      });

      it('refuses a whole send that would pass a device\'s quota, but not its retry', async () => {
        const storage = await withAliceAndBob();
        const quota = { queueEnvelopes: 2, queueBytes: 20 };
        expect((await storage.commitRelayWrites(testWrites([testSend('a'), testSend('b')], [], quota))).map((o) => o.kind)).toEqual(['queued', 'queued']);
        expect(await storage.commitRelayWrites(testWrites([testSend('c')], [], quota))).toEqual([{ kind: 'queue_full' }]);
        expect(await storage.commitRelayWrites(testWrites([testSend('a')], [], quota))).toEqual([{ kind: 'queued', envelopes: [] }]);
        const [oldest] = await storage.pendingEnvelopes(bob1, 0, 1);
        // An ack in the same batch frees room first; bytes count too (8 + 13 > 20).
        expect(await storage.commitRelayWrites(testWrites([testSend('big', 'bob', [1], 13)], [{ ...bob1, seq: oldest!.seq }], quota))).toEqual([{ kind: 'queue_full' }]);
        expect((await storage.commitRelayWrites(testWrites([testSend('c')], [], quota)))[0]!.kind).toBe('queued');
      });

      it('decides a batch as if its sends came one by one: a repeat, a retry and a quota reached midway', async () => {
        const storage = await withAliceAndBob();
        const queuedIds = (outcomes: Awaited<ReturnType<Storage['commitRelayWrites']>>) =>
          outcomes.map((o) => (o.kind === 'queued' ? o.envelopes.map((e) => e.messageId) : o.kind));
        // Far from any quota: the second copy of x in the same batch queues nothing.
        expect(queuedIds(await storage.commitRelayWrites(testWrites([testSend('x'), testSend('y'), testSend('x')])))).toEqual([['x'], ['y'], []]);
        // Room for one more: the retry of y takes none, z takes the last, w finds none, z again is a retry.
        const quota = { queueEnvelopes: 3, queueBytes: 1_000 };
        const outcomes = await storage.commitRelayWrites(testWrites([testSend('y'), testSend('z'), testSend('w'), testSend('z')], [], quota));
        expect(queuedIds(outcomes)).toEqual([[], ['z'], 'queue_full', []]);
        expect((await storage.pendingEnvelopes(bob1, 0, 10)).map((e) => e.messageId)).toEqual(['x', 'y', 'z']);
      });

      it('expires envelopes queued before a time', async () => {
        const storage = await withAliceAndBob();
        await storage.commitRelayWrites({ ...testWrites([testSend('old')]), now: 10 });
        await storage.commitRelayWrites({ ...testWrites([testSend('new')]), now: 20 });
        expect(await storage.expireEnvelopes(20)).toBe(1);
        expect((await storage.pendingEnvelopes(bob1, 0, 10)).map((e) => e.messageId)).toEqual(['new']);
        expect(await storage.expireEnvelopes(20)).toBe(0);
      });

      it('keeps each device\'s queue in commit order with two nodes writing at once', async () => {
        const storage = await withAliceAndBob();
        const other = await peer(storage);
        const commits = Array.from({ length: 40 }, (_, i) => (i % 2 ? other : storage).commitRelayWrites(testWrites([testSend(`m${i}`)])));
        const outcomes = await Promise.all(commits);
        const queued = outcomes.flatMap(([o]) => (o!.kind === 'queued' ? o!.envelopes : []));
        expect(queued).toHaveLength(40);
        const pending = await storage.pendingEnvelopes(bob1, 0, 100);
        expect(new Set(pending.map((e) => e.messageId)).size).toBe(40);
        expect(pending.map((e) => e.seq)).toEqual([...pending.map((e) => e.seq)].sort((a, b) => a - b));
      });
    });

    describe('device links', () => {
      it('uses a code once, provisions once, and gives linked devices increasing ids never reused', async () => {
        const storage = await withAliceAndBob();
        const owner = { userId: 'alice', deviceId: 1 };
        await storage.createLinkCode({ linkId: 'code-0001', owner, expiresAt: 100 });
        const hash = bytes(32, 40);
        const request = { requestHash: hash, linkId: 'code-0001', ephemeralPublicKey: bytes(33, 8), mac: bytes(32, 9) };
        expect(await storage.createLinkRequest(request, 50)).toEqual({ kind: 'created', owner });
        expect(await storage.createLinkRequest({ ...request, requestHash: bytes(32, 41) }, 50)).toEqual({ kind: 'used' });
        expect(await storage.createLinkRequest({ ...request, linkId: 'nope' }, 50)).toEqual({ kind: 'not_found' });
        const stored = await storage.linkRequest(hash);
        expect(stored).toMatchObject({ linkId: 'code-0001', owner, expiresAt: 100 });
        expect(hex(stored!.mac)).toBe(hex(bytes(32, 9)));
        expect(stored!.envelope).toBeUndefined();
        expect(await storage.provisionLinkRequest(hash, bytes(10, 6))).toBe(true);
        expect(await storage.provisionLinkRequest(hash, bytes(10, 7))).toBe(false);
        expect(hex((await storage.linkRequest(hash))!.envelope)).toBe(hex(bytes(10, 6)));
        await storage.setProvisioningToken(hash, bytes(32, 42));
        expect((await storage.linkRequestByProvisioningToken(bytes(32, 42)))?.linkId).toBe('code-0001');
        expect(await storage.completeLink(bytes(32, 42), testDevice(43), 60)).toEqual({ kind: 'linked', userId: 'alice', deviceId: 2 });
        expect(await storage.completeLink(bytes(32, 42), testDevice(44), 60)).toEqual({ kind: 'not_found' });
        expect(await storage.linkRequestByProvisioningToken(bytes(32, 42))).toBeUndefined();
        expect((await storage.linkRequest(hash))?.completedDeviceId).toBe(2);
        await storage.removeDevice({ userId: 'alice', deviceId: 2 });
        expect(await linkDevice(storage, 'alice', 45)).toBe(3);
      });

      it('shows one code per device at a time, and expires codes with their requests', async () => {
        const storage = await withAliceAndBob();
        const owner = { userId: 'alice', deviceId: 1 };
        await storage.createLinkCode({ linkId: 'first', owner, expiresAt: 100 });
        await storage.createLinkCode({ linkId: 'second', owner, expiresAt: 100 });
        const request = { requestHash: bytes(32, 1), linkId: 'first', ephemeralPublicKey: bytes(33), mac: bytes(32) };
        expect(await storage.createLinkRequest(request, 50)).toEqual({ kind: 'not_found' });
        expect(await storage.createLinkRequest({ ...request, linkId: 'second' }, 100)).toEqual({ kind: 'expired' });
        expect((await storage.createLinkRequest({ ...request, linkId: 'second' }, 50)).kind).toBe('created');
        await storage.setProvisioningToken(request.requestHash, bytes(32, 2));
        expect(await storage.completeLink(bytes(32, 2), testDevice(3), 100)).toEqual({ kind: 'expired' });
        expect(await storage.sweepLinkCodes(99)).toBe(0);
        expect(await storage.sweepLinkCodes(100)).toBe(1);
        expect(await storage.linkRequest(request.requestHash)).toBeUndefined();
      });

      it('refuses a send that misses a device linked on another node', async () => {
        const storage = await withAliceAndBob();
        const other = await peer(storage);
        await linkDevice(other, 'bob', 30);
        expect(await storage.commitRelayWrites(testWrites([testSend('m1')]))).toEqual([{ kind: 'devices_changed', missing: [2], extra: [] }]);
      });
    });

    describe('releases, rules and the beta program', () => {
      const release = (version: string, publishedAt: number) => ({
        remote: 'chat',
        version,
        entry: `/releases/${version}/remoteEntry.js`,
        integrity: 'sha384-x',
        contracts: '^1.0.0',
        publishedAt,
      });

      it('writes a release once and lists a remote\'s releases oldest first', async () => {
        const storage = await fresh();
        expect(await storage.insertRelease(release('1.1.0', 20))).toBe('published');
        expect(await storage.insertRelease(release('1.0.0', 10))).toBe('published');
        expect(await storage.insertRelease({ ...release('1.0.0', 30), entry: 'changed' })).toBe('exists');
        expect(await storage.releases('chat')).toEqual([release('1.0.0', 10), release('1.1.0', 20)]);
        expect(await storage.releases('call')).toEqual([]);
      });

      it('lets one node at a time hold the release lock, and the next one in once it lets go', async () => {
        const storage = await fresh();
        const other = await peer(storage);
        const order: string[] = [];
        let othersTurn: Promise<void> | undefined;
        await storage.holdReleaseLock(async () => {
          order.push('first in');
          othersTurn = other.holdReleaseLock(async () => {
            order.push('second in');
          });
          // Time for the other node to get in, were the lock not held (no timing is asserted).
          await new Promise((resolve) => setTimeout(resolve, 100));
          order.push('first out');
        });
        await othersTurn;
        expect(order).toEqual(['first in', 'first out', 'second in']);
        // Let go also when the work fails.
        await expect(storage.holdReleaseLock(() => Promise.reject(new Error('publish failed')))).rejects.toThrow('publish failed');
        expect(await other.holdReleaseLock(async () => 'held')).toBe('held');
      });

      it('appends rule revisions only on top of the expected one, even from two nodes at once', async () => {
        const storage = await fresh();
        const revision = (n: number, change = `r${n}`) => ({ remote: 'chat', revision: n, rules: `{"n":${n}}`, change, restores: null, changedAt: n });
        expect(await storage.appendRuleRevision(revision(1), 0)).toBe('saved');
        expect(await storage.appendRuleRevision(revision(1), 0)).toBe('conflict');
        expect(await storage.appendRuleRevision(revision(3), 1)).toBe('conflict');
        const other = await peer(storage);
        const racing = await Promise.all([storage.appendRuleRevision(revision(2, 'a'), 1), other.appendRuleRevision(revision(2, 'b'), 1)]);
        expect(racing.sort()).toEqual(['conflict', 'saved']);
        expect(await storage.appendRuleRevision({ ...revision(3), restores: 1 }, 2)).toBe('saved');
        const newest = await storage.ruleRevisions('chat', 2);
        expect(newest.map((r) => [r.revision, r.restores])).toEqual([
          [3, 1],
          [2, null],
        ]);
        expect(newest[0]).toEqual({ ...revision(3), restores: 1 });
      });

      it('records beta opt-ins', async () => {
        const storage = await fresh();
        expect(await storage.betaOptIn('alice')).toBe(false);
        await storage.setBetaOptIn('alice', true, 5);
        await storage.setBetaOptIn('alice', true, 6);
        expect(await storage.betaOptIn('alice')).toBe(true);
        await storage.setBetaOptIn('alice', false, 7);
        expect(await storage.betaOptIn('alice')).toBe(false);
      });
    });

    describe('group calls', () => {
      const call = (callId: string, roomId: number, creator = 'alice', createdAt = 1) => ({ callId, roomId, creator, invitees: [creator, 'bob', 'bob'], createdAt });

      it('stores calls with their invitees up to a cap per creator', async () => {
        const storage = await fresh();
        expect(await storage.createGroupCall(call('c1', 11), 2)).toBe('created');
        expect(await storage.createGroupCall(call('c2', 12, 'alice', 2), 2)).toBe('created');
        expect(await storage.createGroupCall(call('c3', 13, 'alice', 3), 2)).toBe('too_many_calls');
        expect(await storage.openGroupCallsBy('alice')).toBe(2);
        expect(await storage.groupCall('c1')).toEqual({ callId: 'c1', roomId: 11, creator: 'alice', invitees: ['alice', 'bob'], createdAt: 1 });
        expect(await storage.addGroupCallInvitees('c1', ['carol', 'bob'])).toBe(true);
        expect(await storage.addGroupCallInvitees('none', ['carol'])).toBe(false);
        await storage.removeGroupCallInvitee('c1', 'bob');
        expect((await storage.groupCall('c1'))?.invitees).toEqual(['alice', 'carol']);
        expect((await storage.groupCalls()).map((c) => c.callId)).toEqual(['c1', 'c2']);
        await storage.deleteGroupCall('c1');
        expect(await storage.groupCall('c1')).toBeUndefined();
        expect(await storage.openGroupCallsBy('alice')).toBe(1);
      });

      it('hands out participant indexes never twice, from two nodes at once', async () => {
        const storage = await fresh();
        await storage.createGroupCall(call('c1', 11));
        const other = await peer(storage);
        const indexes = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : storage).takeGroupCallIndex('c1')));
        expect([...indexes].sort((a, b) => a! - b!)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect(await storage.takeGroupCallIndex('none')).toBeUndefined();
      });

      it('keeps the host\'s lock as the call\'s state, read by another node', async () => {
        const storage = await fresh();
        await storage.createGroupCall(call('c1', 11));
        const other = await peer(storage);
        expect(await storage.setGroupCallLock('c1', ['alice', 'bob'])).toBe(true);
        expect(await other.groupCall('c1')).toMatchObject({ callId: 'c1', lockedFor: ['alice', 'bob'] });
        expect((await other.groupCalls())[0]?.lockedFor).toEqual(['alice', 'bob']);
        expect(await other.setGroupCallLock('c1', null)).toBe(true);
        expect(await storage.groupCall('c1')).not.toHaveProperty('lockedFor');
        expect(await storage.setGroupCallLock('none', [])).toBe(false);
      });
    });

    describe('leases', () => {
      it('are held by one holder until they expire, extended by it, then taken by the next', async () => {
        const storage = await fresh();
        expect(await storage.lease('call:c1')).toBeUndefined();
        expect(await storage.takeLease('call:c1', 'node-a', 100, 200)).toEqual({ name: 'call:c1', holder: 'node-a', expiresAt: 200 });
        // Held: another holder is told who has it, and the lease is unchanged.
        expect(await storage.takeLease('call:c1', 'node-b', 150, 250)).toEqual({ name: 'call:c1', holder: 'node-a', expiresAt: 200 });
        // The holder extends it, by taking again or renewing.
        expect(await storage.takeLease('call:c1', 'node-a', 150, 300)).toEqual({ name: 'call:c1', holder: 'node-a', expiresAt: 300 });
        expect(await storage.renewLeases(['call:c1', 'call:none'], 'node-a', 400)).toEqual(['call:c1']);
        expect(await storage.renewLeases(['call:c1'], 'node-b', 900)).toEqual([]);
        expect(await storage.renewLeases([], 'node-a', 900)).toEqual([]);
        expect((await storage.lease('call:c1'))?.expiresAt).toBe(400);
        // Expired (at its expiry, inclusive): the next one takes it, and the old holder cannot renew.
        expect(await storage.takeLease('call:c1', 'node-b', 400, 500)).toEqual({ name: 'call:c1', holder: 'node-b', expiresAt: 500 });
        expect(await storage.renewLeases(['call:c1'], 'node-a', 900)).toEqual([]);
        // Releasing someone else's lease leaves it; the holder's release frees it.
        await storage.releaseLease('call:c1', 'node-a');
        expect((await storage.lease('call:c1'))?.holder).toBe('node-b');
        await storage.releaseLease('call:c1', 'node-b');
        expect(await storage.lease('call:c1')).toBeUndefined();
      });

      it('go to exactly one of two nodes taking a free or expired lease at once', async () => {
        const storage = await fresh();
        const other = await peer(storage);
        for (const [round, now] of [[0, 10], [1, 1_000]] as const) {
          // Round 1: every lease of round 0 expired at 110, so all are free again.
          const names = Array.from({ length: 10 }, (_, i) => `race:${i}`);
          const taken = await Promise.all(
            names.flatMap((name) => [storage.takeLease(name, `a${round}`, now, now + 100), other.takeLease(name, `b${round}`, now, now + 100)]),
          );
          for (let i = 0; i < names.length; i++) {
            const [first, second] = [taken[2 * i]!, taken[2 * i + 1]!];
            expect(first.holder).toBe(second.holder);
            expect([`a${round}`, `b${round}`]).toContain(first.holder);
          }
        }
      });
    });

    describe('call links', () => {
      it('stores, resets atomically, revokes, and sweeps by the given times', async () => {
        const storage = await fresh();
        expect(await storage.createCallLink(link('a'))).toBe('created');
        expect(await storage.createCallLink(link('a'))).toBe('exists');
        await storage.createCallLink(link('taken'));
        expect(await storage.resetCallLink('a', { roomId: 'taken', verifierHash: bytes(32), encryptedName: null }, 2_000)).toBe('exists');
        expect((await storage.callLink('a'))?.revokedAt).toBeNull();
        expect(await storage.updateCallLink('a', { callId: 'call-1', approval: true })).toBe(true);
        expect(await storage.resetCallLink('a', { roomId: 'b', verifierHash: bytes(32, 8), encryptedName: null }, 2_000)).toBe('reset');
        expect(await storage.resetCallLink('a', { roomId: 'c', verifierHash: bytes(32), encryptedName: null }, 2_000)).toBe('not_found');
        expect(await storage.callLink('a')).toMatchObject({ revokedAt: 2_000, callId: null, encryptedName: null });
        const moved = await storage.callLink('b');
        expect(moved).toMatchObject({ approval: true, callId: 'call-1', createdAt: 1_000, lastUsedAt: 2_000, creator: 'alice', revokedAt: null });
        expect(hex(moved!.verifierHash)).toBe(hex(bytes(32, 8)));
        expect((await storage.callLinkOfCall('call-1'))?.roomId).toBe('b');
        expect(await storage.updateCallLink('a', { approval: false })).toBe(false);
        expect((await storage.callLinksOf('alice')).map((l) => l.roomId)).toEqual(['b', 'taken']);

        const first = await storage.sweepCallLinks({ expireUnusedSince: 2_000, forgetRevokedSince: 0, forgetUnusedSince: 0 });
        expect(first.expired.map((l) => [l.roomId, l.callId]).sort()).toEqual([
          ['b', 'call-1'],
          ['taken', null],
        ]);
        expect(first.forgotten).toBe(0);
        expect((await storage.sweepCallLinks({ expireUnusedSince: 2_000, forgetRevokedSince: 0, forgetUnusedSince: 0 })).expired).toEqual([]);
        const second = await storage.sweepCallLinks({ expireUnusedSince: 2_000, forgetRevokedSince: 2_000, forgetUnusedSince: 1_000 });
        expect(second.forgotten).toBe(2);
        expect(await storage.callLink('a')).toBeUndefined();
        expect(await storage.callLink('b')).toBeDefined();
        expect(await storage.revokeCallLink('b', 3_000)).toBe(true);
        expect(await storage.revokeCallLink('b', 3_000)).toBe(false);
        expect(await storage.callLinksOf('alice')).toEqual([]);
      });

      it('records who was removed from a link\'s call, gone with the call', async () => {
        const storage = await fresh();
        await storage.createGroupCall({ callId: 'c1', roomId: 11, creator: 'alice', invitees: ['alice'], createdAt: 1 });
        await storage.setCallLinkRemoval('c1', 'bob', true);
        await storage.setCallLinkRemoval('c1', 'bob', true);
        expect(await storage.callLinkRemoved('c1', 'bob')).toBe(true);
        await storage.setCallLinkRemoval('c1', 'bob', false);
        expect(await storage.callLinkRemoved('c1', 'bob')).toBe(false);
        await storage.setCallLinkRemoval('c1', 'carol', true);
        await storage.deleteGroupCall('c1');
        expect(await storage.callLinkRemoved('c1', 'carol')).toBe(false);
      });
    });
  });
}

/** Links a new device to `userId` through a code, as the link routes do; returns its id. */
async function linkDevice(storage: Storage, userId: string, token: number): Promise<number> {
  const linkId = `code-${token}`;
  await storage.createLinkCode({ linkId, owner: { userId, deviceId: (await storage.devices(userId))[0]!.deviceId }, expiresAt: 1_000 });
  const requestHash = bytes(32, token);
  await storage.createLinkRequest({ requestHash, linkId, ephemeralPublicKey: bytes(33), mac: bytes(32) }, 10);
  await storage.setProvisioningToken(requestHash, bytes(32, token + 1));
  const outcome = await storage.completeLink(bytes(32, token + 1), testDevice(token + 2), 10);
  if (outcome.kind !== 'linked') throw new Error(`link failed: ${outcome.kind}`);
  return outcome.deviceId;
}
