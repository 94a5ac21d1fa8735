import type { ProtocolAddress } from '../address.js';
import { randomUint32 } from '../bytes.js';
import type { PreKeyBundle } from '../bundle.js';
import { InMemorySignalProtocolStore } from '../in-memory-store.js';
import type { SignalProtocolStore } from '../store.js';
import { IdentityKeyPair } from '../keys.js';
import { createPreKeyBundle, generateKyberPreKey, generatePreKeys, generateSignedPreKey } from '../prekeys.js';
import { processPreKeyBundle, SessionCipher } from '../session-cipher.js';

/** A test device: identity, in-memory store, and a fresh bundle on demand. */
export class TestDevice {
  private nextPreKeyId = 1;
  private nextKyberId = 1;

  private constructor(
    readonly address: ProtocolAddress,
    readonly identity: IdentityKeyPair,
    readonly registrationId: number,
    public store: SignalProtocolStore,
  ) {}

  /** Simulates a restart: the store goes through its persisted form and comes back. */
  async restart(): Promise<void> {
    if (TestDevice.storeFactory !== undefined) {
      this.store = await TestDevice.storeFactory.reopen(this.store);
      return;
    }
    this.store = InMemorySignalProtocolStore.restore(structuredClone(this.memoryStore().snapshot()));
  }

  /** The store as the in-memory implementation (Node tests). */
  memoryStore(): InMemorySignalProtocolStore {
    if (!(this.store instanceof InMemorySignalProtocolStore)) throw new Error('not an in-memory store');
    return this.store;
  }

  /** Lets the Chromium run put devices on IndexedDB instead of memory. */
  static storeFactory:
    | { create(identity: IdentityKeyPair, registrationId: number): Promise<SignalProtocolStore>; reopen(store: SignalProtocolStore): Promise<SignalProtocolStore> }
    | undefined;

  static async create(name: string, deviceId = 1, registrationId = 1 + (randomUint32() % 16000)): Promise<TestDevice> {
    const identity = await IdentityKeyPair.generate();
    const store = TestDevice.storeFactory === undefined ? new InMemorySignalProtocolStore(identity, registrationId) : await TestDevice.storeFactory.create(identity, registrationId);
    const device = new TestDevice({ name, deviceId }, identity, registrationId, store);
    await device.store.storeSignedPreKey(1, await generateSignedPreKey(identity, 1, Date.now()));
    return device;
  }

  /** A bundle with a new one-time EC prekey (unless `oneTime` is false) and a new one-time Kyber prekey. */
  async bundle(options: { oneTime?: boolean; lastResortKyber?: boolean } = {}): Promise<PreKeyBundle> {
    const signedPreKey = (await this.store.loadSignedPreKey(1))!;
    const kyberPreKey = await generateKyberPreKey(this.identity, this.nextKyberId++, Date.now());
    await this.store.storeKyberPreKey(kyberPreKey.id, kyberPreKey, { lastResort: options.lastResortKyber ?? false });
    let preKey;
    if (options.oneTime !== false) {
      [preKey] = await generatePreKeys(this.nextPreKeyId++, 1);
      await this.store.storePreKey(preKey!.id, preKey!);
    }
    return createPreKeyBundle({ registrationId: this.registrationId, deviceId: this.address.deviceId, identity: this.identity, signedPreKey, kyberPreKey, preKey });
  }

  /** A cipher from this device to `peer`. */
  cipher(peer: ProtocolAddress, now?: () => number): SessionCipher {
    return new SessionCipher(this.store, this.address, peer, now === undefined ? {} : { now });
  }
}

/**
 * Two new devices, `alice` having started a session with `bob` from one of his bundles (nothing
 * sent yet), and a cipher each way: `a` from alice to bob, `b` from bob to alice.
 */
export async function sessionPair(): Promise<{ alice: TestDevice; bob: TestDevice; a: SessionCipher; b: SessionCipher }> {
  const alice = await TestDevice.create('alice');
  const bob = await TestDevice.create('bob');
  await processPreKeyBundle(alice.store, bob.address, await bob.bundle());
  return { alice, bob, a: alice.cipher(bob.address), b: bob.cipher(alice.address) };
}
