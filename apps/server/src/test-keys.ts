/**
 * Real Signal keys for this app's tests, made with libsignal-client (the oracle, a test-only
 * dependency): the server must accept what libsignal signs. Never imported by server code.
 */
import type { CreateAccountRequest, DeviceKeys } from '@parley/contracts';
import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** An account's identity key pair, signing the prekeys of its devices. */
export class TestIdentity {
  readonly pair = IdentityKeyPair.generate();
  private nextKeyId = 1;

  /** The public identity key as the API carries it. */
  get identityKey(): string {
    return b64(this.pair.publicKey.serialize());
  }

  private sign(bytes: Uint8Array<ArrayBuffer>): string {
    return b64(this.pair.privateKey.sign(bytes));
  }

  signedPreKey() {
    const publicKey = PrivateKey.generate().getPublicKey().serialize();
    return { keyId: this.nextKeyId++, publicKey: b64(publicKey), signature: this.sign(publicKey) };
  }

  kyberPreKey() {
    const publicKey = KEMKeyPair.generate().getPublicKey().serialize();
    return { keyId: this.nextKeyId++, publicKey: b64(publicKey), signature: this.sign(publicKey) };
  }

  preKey() {
    return { keyId: this.nextKeyId++, publicKey: b64(PrivateKey.generate().getPublicKey().serialize()) };
  }

  /** A device's full key set with `oneTime` one-time keys of each kind. */
  deviceKeys(oneTime = 3, registrationId = 1234): DeviceKeys {
    return {
      registrationId,
      signedPreKey: this.signedPreKey(),
      kyberLastResortPreKey: this.kyberPreKey(),
      oneTimePreKeys: Array.from({ length: oneTime }, () => this.preKey()),
      kyberOneTimePreKeys: Array.from({ length: oneTime }, () => this.kyberPreKey()),
    };
  }

  /** A create-account body for `handle`. */
  account(handle: string, oneTime = 3): CreateAccountRequest {
    return { handle, displayName: `Name of ${handle}`, identityKey: this.identityKey, device: this.deviceKeys(oneTime) };
  }
}
