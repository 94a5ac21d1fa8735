/**
 * Real Signal keys for this app's tests, made with libsignal-client (the oracle, a test-only
 * dependency): the server must accept what libsignal signs. Never imported by server code.
 */
import { fromBase64, toBase64 } from '@parley/bytes';
import type { CreateAccountRequest, DeviceKeys } from '@parley/contracts';
import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';

/** An account's identity key pair, signing the prekeys of its devices. */
export class TestIdentity {
  readonly pair = IdentityKeyPair.generate();
  private nextKeyId = 1;

  /** The public identity key as the API carries it. */
  get identityKey(): string {
    return toBase64(this.pair.publicKey.serialize());
  }

  private sign(bytes: Uint8Array<ArrayBuffer>): string {
    return toBase64(this.pair.privateKey.sign(bytes));
  }

  signedPreKey() {
    const publicKey = PrivateKey.generate().getPublicKey().serialize();
    return { keyId: this.nextKeyId++, publicKey: toBase64(publicKey), signature: this.sign(publicKey) };
  }

  kyberPreKey() {
    const publicKey = KEMKeyPair.generate().getPublicKey().serialize();
    return { keyId: this.nextKeyId++, publicKey: toBase64(publicKey), signature: this.sign(publicKey) };
  }

  preKey() {
    return { keyId: this.nextKeyId++, publicKey: toBase64(PrivateKey.generate().getPublicKey().serialize()) };
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
  const signature = fromBase64(signatureBase64);
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
  return toBase64(signature);
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The same bytes spelled with a padding bit set (`Bw==` → `Bx==`): Buffer-style decoders read
 * them unchanged, a canonical decoder refuses them. Needs padded base64 (a length not a multiple of 3).
 */
export function withNonCanonicalPadding(base64: string): string {
  const last = base64.replace(/=+$/, '').length - 1;
  if (last === base64.length - 1) throw new Error('withNonCanonicalPadding needs padded base64');
  const flipped = BASE64_ALPHABET[BASE64_ALPHABET.indexOf(base64[last]!) | 1]!;
  return base64.slice(0, last) + flipped + base64.slice(last + 1);
}
