import { isSignalProtocolError } from '../errors.js';
import { IndexedDbSignalStore, openSignalDatabase } from '../indexeddb.js';
import { IdentityKeyPair } from '../keys.js';
import { generateKyberPreKey } from '../prekeys.js';
import type { ProtocolAddress } from '../address.js';

// The IndexedDbSignalStore's own rules, checked in the Chromium page on the real IndexedDB (the
// randomized schedules carry sessions, prekeys and restarts through it besides).

type Check = (factory: IDBFactory, name: string) => Promise<boolean>;

const rejectsWith = async (work: Promise<unknown>, code: string): Promise<boolean> =>
  work.then(
    () => false,
    (error: unknown) => isSignalProtocolError(error) && error.code === code,
  );

const peer: ProtocolAddress = { name: 'peer', deviceId: 1 };

const checks: Record<string, Check> = {
  'store: a fresh database has no identity; identity and registration id survive a reopen': async (factory, name) => {
    const fresh = (await IndexedDbSignalStore.load(await openSignalDatabase(factory, name))) === undefined;
    const identity = await IdentityKeyPair.generate();
    await IndexedDbSignalStore.create(await openSignalDatabase(factory, name), identity, 4242);
    const reopened = await IndexedDbSignalStore.load(await openSignalDatabase(factory, name));
    return fresh && reopened !== undefined && (await reopened.getIdentityKeyPair()).publicKey.equals(identity.publicKey) && (await reopened.getLocalRegistrationId()) === 4242;
  },
  'store: trusts a first identity, refuses a changed one until it is accepted': async (factory, name) => {
    const store = await IndexedDbSignalStore.create(await openSignalDatabase(factory, name), await IdentityKeyPair.generate(), 1);
    const original = (await IdentityKeyPair.generate()).publicKey;
    const replaced = (await IdentityKeyPair.generate()).publicKey;
    const steps = [
      await store.isTrustedIdentity(peer, original, 'sending'),
      (await store.saveIdentity(peer, original)) === false,
      (await store.saveIdentity(peer, original)) === false,
      (await store.getIdentity(peer))?.equals(original) === true,
      (await store.isTrustedIdentity(peer, replaced, 'sending')) === false,
    ];
    await store.trustIdentity(peer, replaced);
    steps.push(await store.isTrustedIdentity(peer, replaced, 'sending'), (await store.getIdentity(peer))?.equals(replaced) === true, await store.saveIdentity(peer, original));
    return steps.every(Boolean);
  },
  'store: removes a used one-time Kyber prekey, keeps a last-resort one and refuses its replay': async (factory, name) => {
    const identity = await IdentityKeyPair.generate();
    const store = await IndexedDbSignalStore.create(await openSignalDatabase(factory, name), identity, 1);
    const baseKey = (await IdentityKeyPair.generate()).publicKey;
    await store.storeKyberPreKey(5, await generateKyberPreKey(identity, 5, 0));
    await store.storeKyberPreKey(6, await generateKyberPreKey(identity, 6, 0), { lastResort: true });
    await store.markKyberPreKeyUsed(5, 1, baseKey);
    const oneTimeGone = (await store.loadKyberPreKey(5)) === undefined;
    await store.markKyberPreKeyUsed(6, 1, baseKey);
    const lastResortKept = (await store.loadKyberPreKey(6)) !== undefined;
    return oneTimeGone && lastResortKept && (await rejectsWith(store.markKyberPreKeyUsed(6, 1, baseKey), 'invalid-message'));
  },
  'store: refuses a record in an unknown format version instead of misreading it': async (factory, name) => {
    const db = await openSignalDatabase(factory, name);
    const store = await IndexedDbSignalStore.create(db, await IdentityKeyPair.generate(), 1);
    await db.put('sessions', 'peer.1', { version: 99, data: new Uint8Array([1, 2, 3]) });
    return rejectsWith(store.loadSession(peer), 'invalid-state');
  },
};

/** Runs every check, each on a database of its own named from `prefix`. */
export async function checkIndexedDbStore(factory: IDBFactory, prefix: string): Promise<Record<string, boolean>> {
  const results: Record<string, boolean> = {};
  let db = 0;
  for (const [label, check] of Object.entries(checks)) results[label] = await check(factory, `${prefix}-check-${db++}`);
  return results;
}
