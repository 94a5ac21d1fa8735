import { fromUtf8, utf8 } from '@parley/bytes';
import {
  IdentityKeyPair,
  type ProtocolAddress,
  SessionCipher,
  createPreKeyBundle,
  generateKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
  isSignalProtocolError,
  processPreKeyBundle,
} from '@parley/signal-protocol';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { DeviceDatabase } from './device-database.js';
import { IndexedDbSignalStore } from '@parley/signal-protocol/indexeddb';


/** A device whose store lives in its own (fake) IndexedDB, and can be reopened like a reload. */
async function device(name: string, registrationId: number) {
  const factory = new IDBFactory();
  const identity = await IdentityKeyPair.generate();
  const store = await IndexedDbSignalStore.create(await DeviceDatabase.open(factory), identity, registrationId);
  const address: ProtocolAddress = { name, deviceId: 1 };
  await store.storeSignedPreKey(1, await generateSignedPreKey(identity, 1, Date.now()));
  const reopen = async () => (await IndexedDbSignalStore.load(await DeviceDatabase.open(factory)))!;
  const bundle = async () => {
    const [preKey] = await generatePreKeys(1, 1);
    await store.storePreKey(1, preKey!);
    const kyberPreKey = await generateKyberPreKey(identity, 1, Date.now());
    await store.storeKyberPreKey(1, kyberPreKey);
    return createPreKeyBundle({ registrationId, deviceId: 1, identity, signedPreKey: (await store.loadSignedPreKey(1))!, kyberPreKey, preKey });
  };
  return { factory, identity, store, address, reopen, bundle };
}

// The library's IndexedDbSignalStore on the shell's device database (its own behaviour is tested in
// the library's Chromium run): what a reload keeps, and the shell's record cache.
describe('IndexedDbSignalStore on the device database', () => {
  it('is empty on a fresh browser and keeps identity and registration id across a reopen', async () => {
    const factory = new IDBFactory();
    expect(await IndexedDbSignalStore.load(await DeviceDatabase.open(factory))).toBeUndefined();
    const identity = await IdentityKeyPair.generate();
    await IndexedDbSignalStore.create(await DeviceDatabase.open(factory), identity, 4242);
    const reopened = (await IndexedDbSignalStore.load(await DeviceDatabase.open(factory)))!;
    expect((await reopened.getIdentityKeyPair()).serialize()).toEqual(identity.serialize());
    expect(await reopened.getLocalRegistrationId()).toBe(4242);
  });

  it('carries a real session through reloads on both sides, one-time prekeys consumed', async () => {
    const alice = await device('alice', 11);
    const bob = await device('bob', 22);
    await processPreKeyBundle(alice.store, bob.address, await bob.bundle());
    const first = await new SessionCipher(alice.store, alice.address, bob.address).encrypt(utf8('hello'));

    // Both browsers reload: everything below reads what IndexedDB kept.
    const bobStore = await bob.reopen();
    expect(fromUtf8(await new SessionCipher(bobStore, bob.address, alice.address).decrypt(first))).toBe('hello');
    expect(await bobStore.loadPreKey(1)).toBeUndefined();
    expect(await bobStore.loadKyberPreKey(1)).toBeUndefined();

    const reply = await new SessionCipher(await bob.reopen(), bob.address, alice.address).encrypt(utf8('hi alice'));
    const aliceStore = await alice.reopen();
    expect(fromUtf8(await new SessionCipher(aliceStore, alice.address, bob.address).decrypt(reply))).toBe('hi alice');
    const again = await new SessionCipher(aliceStore, alice.address, bob.address).encrypt(utf8('again'));
    expect(fromUtf8(await new SessionCipher(await bob.reopen(), bob.address, alice.address).decrypt(again))).toBe('again');
    await expect(new SessionCipher(await bob.reopen(), bob.address, alice.address).decrypt(again)).rejects.toSatisfy(
      (error) => isSignalProtocolError(error) && error.code === 'duplicate-message',
    );
  });

  it('with cacheRecords, sessions and identities are read from IndexedDB once, and every write still reaches it', async () => {
    const aliceDb = await DeviceDatabase.open(new IDBFactory());
    const alice = await IndexedDbSignalStore.create(aliceDb, await IdentityKeyPair.generate(), 11, { cacheRecords: true });
    const bob = await device('bob', 22);
    const aliceAddress: ProtocolAddress = { name: 'alice', deviceId: 1 };
    await processPreKeyBundle(alice, bob.address, await bob.bundle());
    const toBob = new SessionCipher(alice, aliceAddress, bob.address);
    const fromAlice = new SessionCipher(bob.store, bob.address, aliceAddress);
    expect(fromUtf8(await fromAlice.decrypt(await toBob.encrypt(utf8('one'))))).toBe('one');

    const reads: string[] = [];
    const get = aliceDb.get.bind(aliceDb);
    aliceDb.get = (store, key) => {
      reads.push(store);
      return get(store, key);
    };
    for (const word of ['two', 'three']) {
      expect(fromUtf8(await fromAlice.decrypt(await toBob.encrypt(utf8(word))))).toBe(word);
      expect(fromUtf8(await toBob.decrypt(await new SessionCipher(bob.store, bob.address, aliceAddress).encrypt(utf8(`re: ${word}`))))).toBe(`re: ${word}`);
    }
    expect(reads.filter((store) => store === 'sessions' || store === 'identities')).toEqual([]);

    // A record read from the cache is a copy: changing it changes nothing stored.
    const record = (await alice.loadSession(bob.address))!;
    record.archiveCurrentState();
    expect((await alice.loadSession(bob.address))!.current).toBeDefined();

    // The database has every write: a store opened afresh (a reload) carries on the session.
    const reopened = (await IndexedDbSignalStore.load(aliceDb))!;
    expect(fromUtf8(await fromAlice.decrypt(await new SessionCipher(reopened, aliceAddress, bob.address).encrypt(utf8('after reload'))))).toBe('after reload');
    await alice.removeSession(bob.address);
    expect(await alice.loadSession(bob.address)).toBeUndefined();
    expect(await reopened.loadSession(bob.address)).toBeUndefined();
  });
});
