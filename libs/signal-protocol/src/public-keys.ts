import { constantTimeEqual, copyBytes, toHex } from '@parley/bytes';
import { isCanonicalMontgomery } from './curve25519.js';
import { SignalProtocolError } from './errors.js';

/** libsignal's type byte for Curve25519 (“DJB”) public keys. */
export const EC_KEY_TYPE = 0x05;
/** libsignal's type byte for round-3 Kyber1024 KEM keys and ciphertexts. */
export const KYBER1024_KEY_TYPE = 0x08;
/** libsignal's type byte for ML-KEM-1024, which the npm build (and this library) rejects. */
export const MLKEM1024_KEY_TYPE = 0x0a;

/** Raw X25519 public key length. */
export const EC_PUBLIC_KEY_LENGTH = 32;
/** Kyber1024 public key length without the type byte. */
export const KYBER1024_PUBLIC_KEY_LENGTH = 1568;

/** An X25519 public key; serialized as 0x05 ‖ u (33 bytes), as libsignal does. */
export class EcPublicKey {
  readonly #u: Uint8Array<ArrayBuffer>;

  private constructor(u: Uint8Array) {
    this.#u = copyBytes(u);
  }

  /** From the raw 32-byte u-coordinate. */
  static fromPublicKeyBytes(u: Uint8Array): EcPublicKey {
    if (u.length !== EC_PUBLIC_KEY_LENGTH) {
      throw new SignalProtocolError('bad-key-length', `EC public key must be 32 bytes, got ${u.length}`);
    }
    return new EcPublicKey(u);
  }

  /** From the 33-byte serialized form; rejects other type bytes and lengths. */
  static deserialize(serialized: Uint8Array): EcPublicKey {
    if (serialized.length === 0) throw new SignalProtocolError('bad-key-type', 'EC public key has no type byte');
    if (serialized[0] !== EC_KEY_TYPE) {
      throw new SignalProtocolError('bad-key-type', `EC public key has type 0x${serialized[0]!.toString(16)}, expected 0x05`);
    }
    // libsignal tolerates (and logs) trailing bytes; a verifier should not, so this is stricter.
    if (serialized.length !== EC_PUBLIC_KEY_LENGTH + 1) {
      throw new SignalProtocolError('bad-key-length', `EC public key must be 33 bytes, got ${serialized.length}`);
    }
    return new EcPublicKey(serialized.subarray(1));
  }

  /** The raw u-coordinate (a copy). */
  publicKeyBytes(): Uint8Array<ArrayBuffer> {
    return copyBytes(this.#u);
  }

  /** 0x05 ‖ u. */
  serialize(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(EC_PUBLIC_KEY_LENGTH + 1);
    out[0] = EC_KEY_TYPE;
    out.set(this.#u, 1);
    return out;
  }

  /** Constant-time equality. */
  equals(other: EcPublicKey): boolean {
    return constantTimeEqual(this.#u, other.#u);
  }

  /** libsignal's canonical-key check (in range, torsion-free). */
  isCanonical(): boolean {
    return isCanonicalMontgomery(this.#u);
  }

  /** Hex of the serialized key, for logs and maps (public data). */
  toString(): string {
    return `EcPublicKey(${toHex(this.serialize())})`;
  }
}

/** A Kyber1024 public key; serialized as 0x08 ‖ 1568 bytes. */
export class KemPublicKey {
  readonly #bytes: Uint8Array<ArrayBuffer>;

  private constructor(bytes: Uint8Array) {
    this.#bytes = copyBytes(bytes);
  }

  /** From the raw 1568-byte key. */
  static fromPublicKeyBytes(bytes: Uint8Array): KemPublicKey {
    if (bytes.length !== KYBER1024_PUBLIC_KEY_LENGTH) {
      throw new SignalProtocolError('bad-key-length', `Kyber1024 public key must be 1568 bytes, got ${bytes.length}`);
    }
    return new KemPublicKey(bytes);
  }

  /** From the 1569-byte serialized form. */
  static deserialize(serialized: Uint8Array): KemPublicKey {
    if (serialized.length === 0) throw new SignalProtocolError('bad-key-type', 'KEM public key has no type byte');
    const type = serialized[0]!;
    if (type !== KYBER1024_KEY_TYPE) {
      const what = type === MLKEM1024_KEY_TYPE ? 'ML-KEM-1024 (0x0a) is not supported' : `unknown KEM key type 0x${type.toString(16)}`;
      throw new SignalProtocolError('bad-key-type', what);
    }
    if (serialized.length !== KYBER1024_PUBLIC_KEY_LENGTH + 1) {
      throw new SignalProtocolError('bad-key-length', `Kyber1024 public key must be 1569 bytes, got ${serialized.length}`);
    }
    return new KemPublicKey(serialized.subarray(1));
  }

  /** The raw key (a copy). */
  publicKeyBytes(): Uint8Array<ArrayBuffer> {
    return copyBytes(this.#bytes);
  }

  /** 0x08 ‖ key. */
  serialize(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(KYBER1024_PUBLIC_KEY_LENGTH + 1);
    out[0] = KYBER1024_KEY_TYPE;
    out.set(this.#bytes, 1);
    return out;
  }

  /** Constant-time equality. */
  equals(other: KemPublicKey): boolean {
    return constantTimeEqual(this.#bytes, other.#bytes);
  }
}
