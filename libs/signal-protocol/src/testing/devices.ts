import type { ProtocolAddress } from '../address.js';
import type { PreKeyBundle } from '../bundle.js';
import { InMemorySignalProtocolStore } from '../in-memory-store.js';
import { IdentityKeyPair } from '../keys.js';
import { createPreKeyBundle, generateKyberPreKey, generatePreKeys, generateSignedPreKey } from '../prekeys.js';
import { SessionCipher } from '../session-cipher.js';

/** A test device: identity, in-memory store, and a fresh bundle on demand. */
export class TestDevice {
  private nextPreKeyId = 1;
  private nextKyberId = 1;

  private constructor(
    readonly address: ProtocolAddress,
    readonly identity: IdentityKeyPair,
    readonly registrationId: number,
    public store: InMemorySignalProtocolStore,
  ) {}

  /** Simulates a restart: the store goes through its persisted form and comes back. */
  restart(): void {
    this.store = InMemorySignalProtocolStore.restore(structuredClone(this.store.snapshot()));
  }

  static async create(name: string, deviceId = 1, registrationId = 1 + Math.floor(Math.random() * 16000)): Promise<TestDevice> {
    const identity = await IdentityKeyPair.generate();
    const device = new TestDevice({ name, deviceId }, identity, registrationId, new InMemorySignalProtocolStore(identity, registrationId));
    await device.store.storeSignedPreKey(1, await generateSignedPreKey(identity, 1, Date.now()));
    return device;
  }

  /** A bundle with a new one-time EC prekey (unless `oneTime` is false) and a new one-time Kyber prekey. */
  async bundle(options: { oneTime?: boolean; lastResortKyber?: boolean } = {}): Promise<PreKeyBundle> {
    const signedPreKey = (await this.store.loadSignedPreKey(1))!;
    const kyberPreKey = generateKyberPreKey(this.identity, this.nextKyberId++, Date.now());
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
