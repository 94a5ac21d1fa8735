// Test-only bridge to the oracle, @signalapp/libsignal-client (a native Node addon). Every oracle
// test imports it from here; nothing under src/ outside src/testing and *.test.ts may.
import * as libsignal from '@signalapp/libsignal-client';

export { libsignal };

/** Plain `Uint8Array<ArrayBuffer>` copy, the type libsignal-client's signatures want. */
export const buf = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
};

/** In-memory implementations of libsignal-client's store interfaces, with access to raw records. */
export class OracleStores {
  readonly sessions = new Map<string, Uint8Array>();
  readonly identities = new Map<string, libsignal.PublicKey>();
  readonly preKeys = new Map<number, libsignal.PreKeyRecord>();
  readonly signedPreKeys = new Map<number, libsignal.SignedPreKeyRecord>();
  readonly kyberPreKeys = new Map<number, libsignal.KyberPreKeyRecord>();
  readonly senderKeys = new Map<string, Uint8Array>();

  readonly session: libsignal.SessionStore;
  readonly identity: libsignal.IdentityKeyStore;
  readonly preKey: libsignal.PreKeyStore;
  readonly signedPreKey: libsignal.SignedPreKeyStore;
  readonly kyberPreKey: libsignal.KyberPreKeyStore;
  readonly senderKey: libsignal.SenderKeyStore;

  constructor(
    readonly identityKeyPair: libsignal.IdentityKeyPair,
    readonly registrationId: number,
  ) {
    // libsignal's store classes are abstract classes, so each store is a subclass closing over `self`.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.session = new (class extends libsignal.SessionStore {
      async saveSession(address: libsignal.ProtocolAddress, record: libsignal.SessionRecord): Promise<void> {
        self.sessions.set(address.toString(), record.serialize());
      }
      async getSession(address: libsignal.ProtocolAddress): Promise<libsignal.SessionRecord | null> {
        const bytes = self.sessions.get(address.toString());
        return bytes ? libsignal.SessionRecord.deserialize(buf(bytes)) : null;
      }
      async getExistingSessions(addresses: libsignal.ProtocolAddress[]): Promise<libsignal.SessionRecord[]> {
        return addresses.map((a) => libsignal.SessionRecord.deserialize(buf(self.sessions.get(a.toString())!)));
      }
    })();
    this.identity = new (class extends libsignal.IdentityKeyStore {
      async getIdentityKey(): Promise<libsignal.PrivateKey> {
        return self.identityKeyPair.privateKey;
      }
      async getLocalRegistrationId(): Promise<number> {
        return self.registrationId;
      }
      async saveIdentity(address: libsignal.ProtocolAddress, key: libsignal.PublicKey): Promise<libsignal.IdentityChange> {
        const old = self.identities.get(address.toString());
        self.identities.set(address.toString(), key);
        return old && !old.equals(key) ? libsignal.IdentityChange.ReplacedExisting : libsignal.IdentityChange.NewOrUnchanged;
      }
      async isTrustedIdentity(): Promise<boolean> {
        return true;
      }
      async getIdentity(address: libsignal.ProtocolAddress): Promise<libsignal.PublicKey | null> {
        return self.identities.get(address.toString()) ?? null;
      }
    })();
    this.preKey = new (class extends libsignal.PreKeyStore {
      async savePreKey(id: number, record: libsignal.PreKeyRecord): Promise<void> {
        self.preKeys.set(id, record);
      }
      async getPreKey(id: number): Promise<libsignal.PreKeyRecord> {
        const r = self.preKeys.get(id);
        if (!r) throw new Error(`no prekey ${id}`);
        return r;
      }
      async removePreKey(id: number): Promise<void> {
        self.preKeys.delete(id);
      }
    })();
    this.signedPreKey = new (class extends libsignal.SignedPreKeyStore {
      async saveSignedPreKey(id: number, record: libsignal.SignedPreKeyRecord): Promise<void> {
        self.signedPreKeys.set(id, record);
      }
      async getSignedPreKey(id: number): Promise<libsignal.SignedPreKeyRecord> {
        const r = self.signedPreKeys.get(id);
        if (!r) throw new Error(`no signed prekey ${id}`);
        return r;
      }
    })();
    this.kyberPreKey = new (class extends libsignal.KyberPreKeyStore {
      async saveKyberPreKey(id: number, record: libsignal.KyberPreKeyRecord): Promise<void> {
        self.kyberPreKeys.set(id, record);
      }
      async getKyberPreKey(id: number): Promise<libsignal.KyberPreKeyRecord> {
        const r = self.kyberPreKeys.get(id);
        if (!r) throw new Error(`no Kyber prekey ${id}`);
        return r;
      }
      async markKyberPreKeyUsed(): Promise<void> {}
    })();
    this.senderKey = new (class extends libsignal.SenderKeyStore {
      async saveSenderKey(sender: libsignal.ProtocolAddress, distributionId: string, record: libsignal.SenderKeyRecord): Promise<void> {
        self.senderKeys.set(`${sender.toString()}/${distributionId}`, record.serialize());
      }
      async getSenderKey(sender: libsignal.ProtocolAddress, distributionId: string): Promise<libsignal.SenderKeyRecord | null> {
        const bytes = self.senderKeys.get(`${sender.toString()}/${distributionId}`);
        return bytes ? libsignal.SenderKeyRecord.deserialize(buf(bytes)) : null;
      }
    })();
  }

  static create(registrationId: number): OracleStores {
    return new OracleStores(libsignal.IdentityKeyPair.generate(), registrationId);
  }
}
