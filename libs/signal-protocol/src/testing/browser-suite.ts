import { fromHex, fromUtf8, utf8 } from '@parley/bytes';
import { groupDecrypt, groupEncrypt, createSenderKeyDistributionMessage, processSenderKeyDistributionMessage } from '../sender-keys.js';
import { createFingerprint } from '../fingerprint.js';
import { EcPublicKey } from '../public-keys.js';
import { verifySignature, verifySignatureAsync } from '../xeddsa-verify.js';
import { hasWebCryptoX25519 } from '../x25519.js';
import { InMemorySignalProtocolStore } from '../in-memory-store.js';
import { IdentityKeyPair } from '../keys.js';
import { processPreKeyBundle, SessionCipher } from '../session-cipher.js';
import type { PreKeyBundle } from '../bundle.js';
import { sessionPair, TestDevice } from './devices.js';
import { type IndexedDbDatabase, IndexedDbSignalStore, openSignalDatabase, type SignalStoreName } from '../indexeddb.js';
import type { SignalProtocolStore } from '../store.js';
import { checkIndexedDbStore } from './indexeddb-store-checks.js';
import { runSchedules, type ScheduleStats } from './schedules.js';
import { vectors } from './vectors.js';

// What the Chromium run executes inside the page (bundled by src/testing/chromium.ts): the
// randomized session schedules on IndexedDB stores, vector checks, a group round trip and,
// on request, the benchmark.

/** Results handed back to Node. */
export interface BrowserSuiteResult {
  webCryptoX25519: boolean;
  schedules: ScheduleStats;
  checks: Record<string, boolean>;
  bench?: Record<string, number>;
}

const payload = utf8('A typical chat message, about a hundred bytes long, with a little bit of punctuation! ok?');

async function rate(seconds: number, step: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await step();
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await step();
    ops++;
  }
  return ops / ((performance.now() - start) / 1000);
}

async function rateOver<T>(items: T[], step: (item: T) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (const item of items) await step(item);
  return items.length / ((performance.now() - start) / 1000);
}

async function bench(seconds: number): Promise<Record<string, number>> {
  TestDevice.storeFactory = undefined;
  const out: Record<string, number> = {};
  const { bob: b, a: ab, b: ba } = await sessionPair();
  await ba.decrypt(await ab.encrypt(payload));
  let flip = false;
  out['alternating encrypt+decrypt pairs'] = await rate(seconds, async () => {
    flip = !flip;
    if (flip) await ba.decrypt(await ab.encrypt(payload));
    else await ab.decrypt(await ba.encrypt(payload));
  });
  const messages: Awaited<ReturnType<typeof ab.encrypt>>[] = [];
  out['same-chain encrypt'] = await rate(seconds, async () => messages.push(await ab.encrypt(payload)));
  out['same-chain decrypt'] = await rateOver(messages, (m) => ba.decrypt(m));
  const bundles: PreKeyBundle[] = [];
  for (let i = 0; i < Math.round(150 * seconds); i++) bundles.push(await b.bundle());
  out['session setups (both sides)'] = await rateOver(bundles, async (bundle) => {
    const address = { name: `a${bundle.kyberPreKeyId}`, deviceId: 1 };
    const store = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), bundle.kyberPreKeyId);
    await processPreKeyBundle(store, b.address, bundle);
    await b.cipher(address).decrypt(await new SessionCipher(store, address, b.address).encrypt(payload));
  });
  const distributionId = crypto.randomUUID();
  const sender = { name: 'alice', deviceId: 1 };
  const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 1);
  const them = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
  await processSenderKeyDistributionMessage(them, sender, await createSenderKeyDistributionMessage(us, sender, distributionId));
  const group: Uint8Array[] = [];
  out['group encrypt'] = await rate(seconds, async () => group.push((await groupEncrypt(us, sender, distributionId, payload)).serialized));
  out['group decrypt'] = await rateOver(group, (m) => groupDecrypt(them, sender, m));
  return out;
}

/** Runs the browser suite; `factory` is the page's IndexedDB. */
export async function runBrowserSuite(options: { seed: number; schedules: number; benchSeconds?: number; factory: IDBFactory }): Promise<BrowserSuiteResult> {
  const checks: Record<string, boolean> = {};
  const sig = vectors.xeddsa_signature;
  const key = EcPublicKey.fromPublicKeyBytes(fromHex(sig.alice_identity_public));
  checks['signature vector (sync)'] = verifySignature(key, fromHex(sig.message_alice_ephemeral_public), fromHex(sig.signature));
  checks['signature vector (platform Ed25519)'] = await verifySignatureAsync(key, fromHex(sig.message_alice_ephemeral_public), fromHex(sig.signature));
  const fp = vectors.fingerprint;
  checks['fingerprint vector'] =
    createFingerprint({
      version: 2,
      localIdentifier: utf8(fp.alice_stable_id),
      localKey: EcPublicKey.deserialize(fromHex(fp.alice_identity)),
      remoteIdentifier: utf8(fp.bob_stable_id),
      remoteKey: EcPublicKey.deserialize(fromHex(fp.bob_identity)),
    }).displayable === fp.displayable;

  let db = 0;
  const prefix = `parley-signal-test-${options.seed}-${Date.now()}`;
  // Each store remembers its database, so a restart closes that one and reopens it by name.
  const databases = new WeakMap<SignalProtocolStore, IndexedDbDatabase<SignalStoreName>>();
  const open = async (name: string, identity?: { keyPair: IdentityKeyPair; registrationId: number }) => {
    const database = await openSignalDatabase(options.factory, name);
    const store = identity === undefined ? await IndexedDbSignalStore.load(database) : await IndexedDbSignalStore.create(database, identity.keyPair, identity.registrationId);
    if (store === undefined) throw new Error(`no identity in ${name}`);
    databases.set(store, database);
    return store;
  };
  TestDevice.storeFactory = {
    create: (keyPair, registrationId) => open(`${prefix}-${db++}`, { keyPair, registrationId }),
    reopen: async (store) => {
      const database = databases.get(store)!;
      database.close();
      return open(database.name);
    },
  };
  Object.assign(checks, await checkIndexedDbStore(options.factory, prefix));
  let schedules: ScheduleStats;
  try {
    schedules = await runSchedules(options.seed, options.schedules, 100);
    const distributionId = crypto.randomUUID();
    const a = await TestDevice.create('alice');
    const b = await TestDevice.create('bob');
    await processSenderKeyDistributionMessage(b.store, a.address, await createSenderKeyDistributionMessage(a.store, a.address, distributionId));
    const m = await groupEncrypt(a.store, a.address, distributionId, utf8('group'));
    checks['group round trip on IndexedDB'] = fromUtf8(await groupDecrypt(b.store, a.address, m.serialized)) === 'group';
  } finally {
    TestDevice.storeFactory = undefined;
  }
  const result: BrowserSuiteResult = { webCryptoX25519: await hasWebCryptoX25519(), schedules, checks };
  if (options.benchSeconds !== undefined) result.bench = await bench(options.benchSeconds);
  return result;
}
