// Benchmark: this library vs @signalapp/libsignal-client (native) in one Node process, single
// thread. Writes bench/results-node.json and prints a table. Run: npx nx run signal-protocol:bench
// (or `node --import tsx libs/signal-protocol/bench/run.ts`). Native sessions also run SPQR
// (its ML-KEM-768 epochs); ours run SPQR's epoch-0 chain only — see README.md "SPQR".
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSenderKeyDistributionMessage,
  groupDecrypt,
  groupEncrypt,
  InMemorySignalProtocolStore,
  IdentityKeyPair,
  processPreKeyBundle,
  processSenderKeyDistributionMessage,
  type PreKeyBundle,
  SessionCipher,
} from '../src/index.js';
import { TestDevice } from '../src/testing/devices.js';
import { LibsignalPeer } from '../src/testing/libsignal-peer.js';
import { buf, libsignal, OracleStores } from '../src/testing/libsignal-oracle.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 2);
const payload = new TextEncoder().encode('A typical chat message, about a hundred bytes long, with a little bit of punctuation! ok?');

/** Runs `step` once per item and returns items per second. */
async function rateOver<T>(items: T[], step: (item: T) => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (const item of items) await step(item);
  return items.length / ((performance.now() - start) / 1000);
}

/** Runs `step` for about `seconds` and returns operations per second. */
async function rate(step: () => Promise<unknown>, opsPerStep = 1): Promise<number> {
  for (let i = 0; i < 20; i++) await step();
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    await step();
    ops += opsPerStep;
  }
  return ops / ((performance.now() - start) / 1000);
}

async function oursPair() {
  const a = await TestDevice.create('alice');
  const b = await TestDevice.create('bob');
  await processPreKeyBundle(a.store, b.address, await b.bundle());
  const ab = a.cipher(b.address);
  const ba = b.cipher(a.address);
  await ba.decrypt(await ab.encrypt(payload));
  await ab.decrypt(await ba.encrypt(payload));
  return { a, b, ab, ba };
}

async function nativePair() {
  const a = new LibsignalPeer({ name: 'alice', deviceId: 1 });
  const b = new LibsignalPeer({ name: 'bob', deviceId: 1 });
  await a.processBundle(b.address, b.bundle());
  await b.decrypt(a.address, await a.encrypt(b.address, payload));
  await a.decrypt(b.address, await b.encrypt(a.address, payload));
  return { a, b };
}

const results: Record<string, { ours: number; native: number; unit: string }> = {};
const record = (name: string, ours: number, native: number, unit: string) => {
  results[name] = { ours, native, unit };
  console.log(`${name.padEnd(36)} ours ${ours.toFixed(0).padStart(8)}  native ${native.toFixed(0).padStart(8)}  ratio ${(ours / native).toFixed(2)}  ${unit}`);
};

// 1. encrypt+decrypt pairs, direction alternating: every decrypt is a DH ratchet step
{
  const o = await oursPair();
  let flip = false;
  const ours = await rate(async () => {
    flip = !flip;
    if (flip) await o.ba.decrypt(await o.ab.encrypt(payload));
    else await o.ab.decrypt(await o.ba.encrypt(payload));
  });
  const n = await nativePair();
  let flip2 = false;
  const native = await rate(async () => {
    flip2 = !flip2;
    if (flip2) await n.b.decrypt(n.a.address, await n.a.encrypt(n.b.address, payload));
    else await n.a.decrypt(n.b.address, await n.b.encrypt(n.a.address, payload));
  });
  record('alternating encrypt+decrypt pairs', ours, native, 'pairs/s');
}

// 2. same chain: encrypt only, then decrypt only (no ratchet step)
{
  const o = await oursPair();
  const n = await nativePair();
  const oursMessages: Awaited<ReturnType<typeof o.ab.encrypt>>[] = [];
  const nativeMessages: Awaited<ReturnType<typeof n.a.encrypt>>[] = [];
  const oursEnc = await rate(async () => oursMessages.push(await o.ab.encrypt(payload)));
  const nativeEnc = await rate(async () => nativeMessages.push(await n.a.encrypt(n.b.address, payload)));
  record('same-chain encrypt', oursEnc, nativeEnc, 'msg/s');
  const oursDec = await rateOver(oursMessages, (m) => o.ba.decrypt(m));
  const nativeDec = await rateOver(nativeMessages, (m) => n.b.decrypt(n.a.address, m));
  record('same-chain decrypt', oursDec, nativeDec, 'msg/s');
}

// 3. session setup: initiator processes a bundle and encrypts, responder decrypts (PQXDH both sides).
//    Bundles are made beforehand (prekey generation is not part of a setup).
{
  const bob = await TestDevice.create('bob');
  const bundles: PreKeyBundle[] = [];
  for (let i = 0; i < 600 * seconds; i++) bundles.push(await bob.bundle());
  let k = 0;
  const ours = await rate(async () => {
    const address = { name: `alice${k}`, deviceId: 1 };
    const store = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 1 + k);
    await processPreKeyBundle(store, bob.address, bundles[k++]!);
    await bob.cipher(address).decrypt(await new SessionCipher(store, address, bob.address).encrypt(payload));
  });
  const nbob = new LibsignalPeer({ name: 'bob', deviceId: 1 });
  const nbundles: PreKeyBundle[] = [];
  for (let i = 0; i < 1500 * seconds; i++) nbundles.push(nbob.bundle());
  let m = 0;
  const native = await rate(async () => {
    const alice = new LibsignalPeer({ name: `alice${m}`, deviceId: 1 });
    await alice.processBundle(nbob.address, nbundles[m++]!);
    await nbob.decrypt(alice.address, await alice.encrypt(nbob.address, payload));
  });
  record('session setups (both sides)', ours, native, 'setups/s');
}

// 4. group messages
{
  const distributionId = crypto.randomUUID();
  const sender = { name: 'alice', deviceId: 1 };
  const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 1);
  const them = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
  await processSenderKeyDistributionMessage(them, sender, await createSenderKeyDistributionMessage(us, sender, distributionId));
  const oursMessages: Uint8Array[] = [];
  const oursEnc = await rate(async () => oursMessages.push((await groupEncrypt(us, sender, distributionId, payload)).serialized));
  const nsender = libsignal.ProtocolAddress.new('alice', 1);
  const ns = OracleStores.create(1);
  const nr = OracleStores.create(2);
  await libsignal.processSenderKeyDistributionMessage(nsender, await libsignal.SenderKeyDistributionMessage.create(nsender, distributionId, ns.senderKey), nr.senderKey);
  const nativeMessages: Uint8Array[] = [];
  const nativeEnc = await rate(async () => nativeMessages.push((await libsignal.groupEncrypt(nsender, distributionId, ns.senderKey, buf(payload))).serialize()));
  record('group encrypt', oursEnc, nativeEnc, 'msg/s');
  const oursDec = await rateOver(oursMessages, (m) => groupDecrypt(them, sender, m));
  const nativeDec = await rateOver(nativeMessages, (m) => libsignal.groupDecrypt(nsender, nr.senderKey, buf(m)));
  record('group decrypt', oursDec, nativeDec, 'msg/s');
}

// 5. session record size after the same conversation (10 alternating rounds after setup)
{
  const o = await oursPair();
  const n = await nativePair();
  for (let i = 0; i < 10; i++) {
    await o.ba.decrypt(await o.ab.encrypt(payload));
    await o.ab.decrypt(await o.ba.encrypt(payload));
    await n.b.decrypt(n.a.address, await n.a.encrypt(n.b.address, payload));
    await n.a.decrypt(n.b.address, await n.b.encrypt(n.a.address, payload));
  }
  const ours = (await o.a.store.loadSession(o.b.address))!.serialize().length;
  const native = n.a.record(n.b.address).length;
  record('session record size', ours, native, 'bytes');
}

const out = {
  date: new Date().toISOString(),
  platform: `Node ${process.version} ${process.platform}/${process.arch}`,
  secondsPerMeasurement: seconds,
  note: 'single thread; native sessions also run SPQR ML-KEM-768 epochs, ours the SPQR epoch-0 chain only',
  results,
};
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'results-node.json'), `${JSON.stringify(out, null, 2)}\n`);
