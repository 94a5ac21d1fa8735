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

/** Ed25519's group order ℓ. */
const GROUP_ORDER = 2n ** 252n + 27742317777372353535851937790883648493n;

/**
 * The same signature with ℓ added to its scalar: libsignal still accepts it (it allows s < 2^253),
 * no honest signer makes it, and a verifier that takes it seriously must leave the platform's
 * Ed25519 for slow pure-JS arithmetic — the shape of the hostile upload.
 */
export function withNonCanonicalScalar(signatureBase64: string): string {
  const signature = Buffer.from(signatureBase64, 'base64');
  const signBit = signature[63]! & 0x80;
  signature[63]! &= 0x7f;
  let s = 0n;
  for (let i = 31; i >= 0; i--) s = (s << 8n) | BigInt(signature[32 + i]!);
  s += GROUP_ORDER;
  for (let i = 0; i < 32; i++) {
    signature[32 + i] = Number(s & 0xffn);
    s >>= 8n;
  }
  signature[63]! |= signBit;
  return signature.toString('base64');
}
