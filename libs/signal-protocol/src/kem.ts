import { concatBytes, copyBytes } from '@parley/bytes';
import { randomBytes, redactWhenPrinted } from './bytes.js';
import { SignalProtocolError } from './errors.js';
import { KemPublicKey, KYBER1024_KEY_TYPE, MLKEM1024_KEY_TYPE } from './public-keys.js';

/** Kyber1024 secret key length without the type byte. */
export const KYBER1024_SECRET_KEY_LENGTH = 3168;
/** Kyber1024 ciphertext length without the type byte. */
export const KYBER1024_CIPHERTEXT_LENGTH = 1568;

// libsignal's Kyber1024 is round-3 Kyber, @noble/post-quantum ships FIPS 203 ML-KEM. The two share
// key formats and the IND-CPA core; they differ in how the shared secret leaves the KEM:
//   Kyber:  m = H(random);  (K̄, r) = G(m ‖ H(pk));  c = Enc(pk, m, r);  K = KDF(K̄ ‖ H(c))
//   ML-KEM:                 (K, r)  = G(m ‖ H(ek)); c = Enc(ek, m, r)
// so with the same m, ML-KEM's K is Kyber's K̄, and Kyber's secret is SHAKE256(K̄ ‖ SHA3-256(c), 32).
// Decapsulation re-encrypts and compares the same way in both. (Implicit rejection of a forged
// ciphertext yields a different pseudorandom value in each; either way the session fails.)
// ML-KEM key generation adds a domain byte to G, which only changes which keys are drawn, not
// their format: an ML-KEM key pair is a valid Kyber1024 key pair.

/** The Kyber arithmetic, a chunk of its own fetched on first use (kyber-engine.ts). */
const kyberEngine = () => import('./kyber-engine.js');

/** A Kyber1024 secret key; serialized as 0x08 ‖ 3168 bytes. Never printed. */
export class KemSecretKey {
  readonly #bytes: Uint8Array<ArrayBuffer>;

  private constructor(bytes: Uint8Array) {
    this.#bytes = copyBytes(bytes);
  }

  /** From the 3169-byte serialized form. */
  static deserialize(serialized: Uint8Array): KemSecretKey {
    if (serialized.length === 0) throw new SignalProtocolError('bad-key-type', 'KEM secret key has no type byte');
    if (serialized[0] !== KYBER1024_KEY_TYPE) {
      const type = serialized[0]!;
      throw new SignalProtocolError(
        'bad-key-type',
        type === MLKEM1024_KEY_TYPE ? 'ML-KEM-1024 (0x0a) is not supported' : `unknown KEM key type 0x${type.toString(16)}`,
      );
    }
    if (serialized.length !== KYBER1024_SECRET_KEY_LENGTH + 1) {
      throw new SignalProtocolError('bad-key-length', `Kyber1024 secret key must be 3169 bytes, got ${serialized.length}`);
    }
    return new KemSecretKey(serialized.subarray(1));
  }

  /** 0x08 ‖ key: handle as a secret. */
  serialize(): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(KYBER1024_SECRET_KEY_LENGTH + 1);
    out[0] = KYBER1024_KEY_TYPE;
    out.set(this.#bytes, 1);
    return out;
  }

  /** @internal Borrowed view for decapsulation. */
  get _bytes(): Uint8Array {
    return this.#bytes;
  }

  toString(): string {
    return '[redacted KEM secret key]';
  }

  toJSON(): string {
    return '[redacted KEM secret key]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return '[redacted KEM secret key]';
  }
}

/** A Kyber1024 key pair. */
export class KemKeyPair {
  constructor(
    readonly publicKey: KemPublicKey,
    readonly secretKey: KemSecretKey,
  ) {}

  /** A new random key pair. */
  static async generate(): Promise<KemKeyPair> {
    const { mlKem1024 } = await kyberEngine();
    const { publicKey, secretKey } = mlKem1024.keygen(randomBytes(64));
    return new KemKeyPair(
      KemPublicKey.fromPublicKeyBytes(publicKey),
      KemSecretKey.deserialize(concatBytes(new Uint8Array([KYBER1024_KEY_TYPE]), secretKey)),
    );
  }
}

/** Result of {@link kemEncapsulate}. */
export interface KemEncapsulation {
  /** 32-byte Kyber1024 shared secret. */
  sharedSecret: Uint8Array;
  /** Serialized ciphertext, 0x08 ‖ 1568 bytes, as it travels in a PreKeySignalMessage. */
  ciphertext: Uint8Array;
}

/** Kyber1024 encapsulation to `publicKey`. */
export async function kemEncapsulate(publicKey: KemPublicKey): Promise<KemEncapsulation> {
  const { mlKem1024, sha3, kyberSecret } = await kyberEngine();
  const m = sha3(randomBytes(32));
  let result: { cipherText: Uint8Array; sharedSecret: Uint8Array };
  try {
    result = mlKem1024.encapsulate(publicKey.publicKeyBytes(), m);
  } catch (cause) {
    throw new SignalProtocolError('invalid-key', 'Kyber1024 public key is not a valid encapsulation key', { cause });
  }
  return {
    sharedSecret: kyberSecret(result.sharedSecret, result.cipherText),
    ciphertext: concatBytes(new Uint8Array([KYBER1024_KEY_TYPE]), result.cipherText),
  };
}

/** Kyber1024 decapsulation of a serialized ciphertext (0x08 ‖ 1568 bytes). */
export async function kemDecapsulate(secretKey: KemSecretKey, serializedCiphertext: Uint8Array): Promise<Uint8Array> {
  if (serializedCiphertext.length === 0) throw new SignalProtocolError('bad-key-type', 'KEM ciphertext has no type byte');
  if (serializedCiphertext[0] !== KYBER1024_KEY_TYPE) {
    throw new SignalProtocolError('bad-key-type', `KEM ciphertext type 0x${serializedCiphertext[0]!.toString(16)} does not match the Kyber1024 key`);
  }
  if (serializedCiphertext.length !== KYBER1024_CIPHERTEXT_LENGTH + 1) {
    throw new SignalProtocolError('invalid-message', `Kyber1024 ciphertext must be 1569 bytes, got ${serializedCiphertext.length}`);
  }
  const ciphertext = serializedCiphertext.subarray(1);
  const { mlKem1024, kyberSecret } = await kyberEngine();
  let mlKemKey: Uint8Array;
  try {
    mlKemKey = mlKem1024.decapsulate(ciphertext, secretKey._bytes);
  } catch (cause) {
    throw new SignalProtocolError('invalid-key', 'Kyber1024 decapsulation failed', { cause });
  }
  return kyberSecret(mlKemKey, ciphertext);
}

redactWhenPrinted(KemKeyPair, 'redacted KEM key pair');
