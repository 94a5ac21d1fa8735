// Benchmark: this library vs @signalapp/libsignal-client (native) in one Node process, single
// thread, then the same measurements in Chromium. Writes bench/results-node.json and prints a
// table. Run: npx nx run signal-protocol:bench (BENCH_SECONDS per measurement, default 3).
// Ours and native run in alternating slices so that load from other processes hits both alike.
// Native sessions also run SPQR's ML-KEM-768 epochs; ours run SPQR's epoch-0 chain only (README "SPQR").
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createSenderKeyDistributionMessage,
  groupDecrypt,
  groupEncrypt,
  IdentityKeyPair,
  InMemorySignalProtocolStore,
  type PreKeyBundle,
  processPreKeyBundle,
  processSenderKeyDistributionMessage,
  SessionCipher,
} from '../src/index.js';
import { utf8 } from '@parley/bytes';
import { hasChromium, runInChromium } from '../src/testing/chromium.js';
import { sessionPair, TestDevice } from '../src/testing/devices.js';
import { LibsignalPeer } from '../src/testing/libsignal-peer.js';
import { buf, libsignal, OracleStores } from '../src/testing/libsignal-oracle.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const SLICES = 10;
const payload = utf8('A typical chat message, about a hundred bytes long, with a little bit of punctuation! ok?');

type Step = () => Promise<unknown>;

/** Ops per second of two open-ended steps, measured in alternating time slices. */
async function duel(ours: Step, native: Step): Promise<[number, number]> {
  const ops = [0, 0];
  const time = [0, 0];
  for (const step of [ours, native]) for (let i = 0; i < 20; i++) await step();
  for (let slice = 0; slice < SLICES; slice++) {
    for (const [i, step] of [ours, native].entries()) {
      const start = performance.now();
      while (performance.now() - start < (seconds * 1000) / SLICES) {
        await step();
        ops[i]!++;
      }
      time[i]! += performance.now() - start;
    }
  }
  return [(ops[0]! / time[0]!) * 1000, (ops[1]! / time[1]!) * 1000];
}

/** Items per second of two fixed workloads, processed in alternating chunks. */
async function duelOver<A, B>(ours: A[], oursStep: (a: A) => Promise<unknown>, native: B[], nativeStep: (b: B) => Promise<unknown>): Promise<[number, number]> {
  const time = [0, 0];
  for (let slice = 0; slice < SLICES; slice++) {
    const parts = [
      [ours, oursStep],
      [native, nativeStep],
    ] as const;
    for (const [i, [items, step]] of parts.entries()) {
      const from = Math.floor((items.length * slice) / SLICES);
      const to = Math.floor((items.length * (slice + 1)) / SLICES);
      const start = performance.now();
      for (let k = from; k < to; k++) await (step as (x: unknown) => Promise<unknown>)(items[k]);
      time[i]! += performance.now() - start;
    }
  }
  return [(ours.length / time[0]!) * 1000, (native.length / time[1]!) * 1000];
}

async function oursPair() {
  const { alice: a, bob: b, a: ab, b: ba } = await sessionPair();
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

const results: Record<string, { ours: number; native: number; unit: string; chromium?: number }> = {};
const record = (name: string, [ours, native]: [number, number], unit: string) => {
  results[name] = { ours, native, unit };
  console.log(`${name.padEnd(36)} ours ${ours.toFixed(0).padStart(8)}  native ${native.toFixed(0).padStart(8)}  ratio ${(ours / native).toFixed(2)}  ${unit}`);
};

// 1. encrypt+decrypt pairs, direction alternating: every decrypt is a DH ratchet step
{
  const o = await oursPair();
  const n = await nativePair();
  let flipOurs = false;
  let flipNative = false;
  record(
    'alternating encrypt+decrypt pairs',
    await duel(
      async () => {
        flipOurs = !flipOurs;
        if (flipOurs) await o.ba.decrypt(await o.ab.encrypt(payload));
        else await o.ab.decrypt(await o.ba.encrypt(payload));
      },
      async () => {
        flipNative = !flipNative;
        if (flipNative) await n.b.decrypt(n.a.address, await n.a.encrypt(n.b.address, payload));
        else await n.a.decrypt(n.b.address, await n.b.encrypt(n.a.address, payload));
      },
    ),
    'pairs/s',
  );
}

// 2. same chain: encrypt only, then decrypt only (no ratchet step)
{
  const o = await oursPair();
  const n = await nativePair();
  const oursMessages: Awaited<ReturnType<typeof o.ab.encrypt>>[] = [];
  const nativeMessages: Awaited<ReturnType<typeof n.a.encrypt>>[] = [];
  record(
    'same-chain encrypt',
    await duel(
      async () => oursMessages.push(await o.ab.encrypt(payload)),
      async () => nativeMessages.push(await n.a.encrypt(n.b.address, payload)),
    ),
    'msg/s',
  );
  record('same-chain decrypt', await duelOver(oursMessages, (m) => o.ba.decrypt(m), nativeMessages, (m) => n.b.decrypt(n.a.address, m)), 'msg/s');
}

// 3. session setup: initiator (new identity) processes a bundle and encrypts, responder decrypts:
//    PQXDH on both sides. Bundles are made beforehand (prekey generation is not part of a setup).
{
  const count = Math.round(100 * seconds);
  const bob = await TestDevice.create('bob');
  const bundles: PreKeyBundle[] = [];
  for (let i = 0; i < count; i++) bundles.push(await bob.bundle());
  const nbob = new LibsignalPeer({ name: 'bob', deviceId: 1 });
  const nbundles: PreKeyBundle[] = [];
  for (let i = 0; i < count * 4; i++) nbundles.push(nbob.bundle());
  record(
    'session setups (both sides)',
    await duelOver(
      bundles,
      async (bundle) => {
        const address = { name: `alice${bundle.kyberPreKeyId}`, deviceId: 1 };
        const store = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), bundle.kyberPreKeyId);
        await processPreKeyBundle(store, bob.address, bundle);
        await bob.cipher(address).decrypt(await new SessionCipher(store, address, bob.address).encrypt(payload));
      },
      nbundles,
      async (bundle) => {
        const alice = new LibsignalPeer({ name: `alice${bundle.kyberPreKeyId}`, deviceId: 1 });
        await alice.processBundle(nbob.address, bundle);
        await nbob.decrypt(alice.address, await alice.encrypt(nbob.address, payload));
      },
    ),
    'setups/s',
  );
}

// 4. group messages
{
  const distributionId = crypto.randomUUID();
  const sender = { name: 'alice', deviceId: 1 };
  const us = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 1);
  const them = new InMemorySignalProtocolStore(await IdentityKeyPair.generate(), 2);
  await processSenderKeyDistributionMessage(them, sender, await createSenderKeyDistributionMessage(us, sender, distributionId));
  const nsender = libsignal.ProtocolAddress.new('alice', 1);
  const ns = OracleStores.create(1);
  const nr = OracleStores.create(2);
  await libsignal.processSenderKeyDistributionMessage(nsender, await libsignal.SenderKeyDistributionMessage.create(nsender, distributionId, ns.senderKey), nr.senderKey);
  const oursMessages: Uint8Array[] = [];
  const nativeMessages: Uint8Array[] = [];
  record(
    'group encrypt',
    await duel(
      async () => oursMessages.push((await groupEncrypt(us, sender, distributionId, payload)).serialized),
      async () => nativeMessages.push((await libsignal.groupEncrypt(nsender, distributionId, ns.senderKey, buf(payload))).serialize()),
    ),
    'msg/s',
  );
  record(
    'group decrypt',
    await duelOver(oursMessages, (m) => groupDecrypt(them, sender, m), nativeMessages, (m) => libsignal.groupDecrypt(nsender, nr.senderKey, buf(m))),
    'msg/s',
  );
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
  record('session record size', [(await o.a.store.loadSession(o.b.address))!.serialize().length, n.a.record(n.b.address).length], 'bytes');
}

// 6. the same in Chromium (ours only: libsignal-client has no browser build), as ratios to this
//    run's native numbers
let chromium: string | undefined;
if (hasChromium()) {
  const browser = await runInChromium({ seed: 1, schedules: 0, benchSeconds: seconds });
  chromium = `Chromium ${browser.browser}`;
  for (const [name, value] of Object.entries(browser.bench ?? {})) {
    const entry = results[name];
    if (entry === undefined) continue;
    entry.chromium = value;
    console.log(`${name.padEnd(36)} chromium ${value.toFixed(0).padStart(8)}  ratio to native ${(value / entry.native).toFixed(2)}`);
  }
}

const out = {
  date: new Date().toISOString(),
  platform: `Node ${process.version} ${process.platform}/${process.arch}`,
  chromium,
  secondsPerMeasurement: seconds,
  loadAverageAtEnd: loadavg().map((x) => Number(x.toFixed(2))),
  note: 'single thread; ours and native in alternating slices; native sessions also run SPQR ML-KEM-768 epochs, ours the SPQR epoch-0 chain only',
  results,
};
writeFileSync(join(dirname(fileURLToPath(import.meta.url)), 'results-node.json'), `${JSON.stringify(out, null, 2)}\n`);
