import type { ProtocolAddress } from '../address.js';
import type { PreKeyBundle } from '../bundle.js';
import { EcPublicKey, KemPublicKey } from '../public-keys.js';
import { type CiphertextMessage, CiphertextMessageType } from '../wire.js';
import { buf, libsignal, OracleStores } from './libsignal-oracle.js';

const toTheirs = (a: ProtocolAddress) => libsignal.ProtocolAddress.new(a.name, a.deviceId);

/** A device running libsignal-client, talking to one peer address. */
export class LibsignalPeer {
  readonly stores: OracleStores;
  private nextId = 1;

  constructor(
    readonly address: ProtocolAddress,
    registrationId = 4000 + Math.floor(Math.random() * 1000),
  ) {
    this.stores = OracleStores.create(registrationId);
  }

  /** A bundle of libsignal-made keys (signatures by libsignal), in this library's types. */
  bundle(options: { oneTime?: boolean } = {}): PreKeyBundle {
    const id = this.nextId++;
    const identity = this.stores.identityKeyPair;
    const signed = libsignal.PrivateKey.generate();
    const signedSig = identity.privateKey.sign(signed.getPublicKey().serialize());
    this.stores.signedPreKeys.set(id, libsignal.SignedPreKeyRecord.new(id, Date.now(), signed.getPublicKey(), signed, signedSig));
    const kyber = libsignal.KEMKeyPair.generate();
    const kyberSig = identity.privateKey.sign(kyber.getPublicKey().serialize());
    this.stores.kyberPreKeys.set(id, libsignal.KyberPreKeyRecord.new(id, Date.now(), kyber, kyberSig));
    let preKeyPublic: EcPublicKey | undefined;
    if (options.oneTime !== false) {
      const pre = libsignal.PrivateKey.generate();
      this.stores.preKeys.set(id, libsignal.PreKeyRecord.new(id, pre.getPublicKey(), pre));
      preKeyPublic = EcPublicKey.deserialize(pre.getPublicKey().serialize());
    }
    return {
      registrationId: this.stores.registrationId,
      deviceId: this.address.deviceId,
      preKeyId: preKeyPublic === undefined ? undefined : id,
      preKeyPublic,
      signedPreKeyId: id,
      signedPreKeyPublic: EcPublicKey.deserialize(signed.getPublicKey().serialize()),
      signedPreKeySignature: signedSig,
      identityKey: EcPublicKey.deserialize(identity.publicKey.serialize()),
      kyberPreKeyId: id,
      kyberPreKeyPublic: KemPublicKey.deserialize(kyber.getPublicKey().serialize()),
      kyberPreKeySignature: kyberSig,
    };
  }

  /** Starts a session to a bundle of ours. */
  async processBundle(peer: ProtocolAddress, b: PreKeyBundle): Promise<void> {
    await libsignal.processPreKeyBundle(
      libsignal.PreKeyBundle.new(
        b.registrationId,
        b.deviceId,
        b.preKeyId ?? null,
        b.preKeyPublic ? libsignal.PublicKey.deserialize(buf(b.preKeyPublic.serialize())) : null,
        b.signedPreKeyId,
        libsignal.PublicKey.deserialize(buf(b.signedPreKeyPublic.serialize())),
        buf(b.signedPreKeySignature),
        libsignal.PublicKey.deserialize(buf(b.identityKey.serialize())),
        b.kyberPreKeyId,
        libsignal.KEMPublicKey.deserialize(buf(b.kyberPreKeyPublic.serialize())),
        buf(b.kyberPreKeySignature),
      ),
      toTheirs(peer),
      toTheirs(this.address),
      this.stores.session,
      this.stores.identity,
    );
  }

  async encrypt(peer: ProtocolAddress, plaintext: Uint8Array): Promise<CiphertextMessage> {
    const m = await libsignal.signalEncrypt(buf(plaintext), toTheirs(peer), toTheirs(this.address), this.stores.session, this.stores.identity);
    return { type: m.type() as CiphertextMessage['type'], serialized: m.serialize() };
  }

  async decrypt(peer: ProtocolAddress, message: CiphertextMessage): Promise<Uint8Array> {
    const s = this.stores;
    if (message.type === CiphertextMessageType.PreKey) {
      return libsignal.signalDecryptPreKey(
        libsignal.PreKeySignalMessage.deserialize(buf(message.serialized)),
        toTheirs(peer),
        toTheirs(this.address),
        s.session,
        s.identity,
        s.preKey,
        s.signedPreKey,
        s.kyberPreKey,
      );
    }
    return libsignal.signalDecrypt(libsignal.SignalMessage.deserialize(buf(message.serialized)), toTheirs(peer), toTheirs(this.address), s.session, s.identity);
  }

  /** libsignal's serialized session record for `peer`. */
  record(peer: ProtocolAddress): Uint8Array {
    return this.stores.sessions.get(toTheirs(peer).toString())!;
  }
}
