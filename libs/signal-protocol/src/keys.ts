import { copyBytes, constantTimeEqual } from '@parley/bytes';
import { redactWhenPrinted } from './bytes.js';
import { SignalProtocolError } from './errors.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';
import { EcPublicKey } from './public-keys.js';
import { agreeX25519, clampPrivateKey, generateX25519, importX25519PrivateKey, importX25519PublicKey, rememberX25519Handle, x25519PublicKey } from './x25519.js';
import { calculateSignature } from './xeddsa.js';

const REDACTED = '[redacted private key]';

// A peer's ratchet key takes part in two agreements in a row (receiving and sending chain):
// import it into the platform once per key object.
const publicHandles = new WeakMap<EcPublicKey, Promise<CryptoKey | undefined>>();

function platformPublicKey(key: EcPublicKey): Promise<CryptoKey | undefined> {
  let handle = publicHandles.get(key);
  if (handle === undefined) publicHandles.set(key, (handle = importX25519PublicKey(key.publicKeyBytes())));
  return handle;
}

/** An X25519 private key, stored clamped (as libsignal serializes it). Never printed. */
export class EcPrivateKey {
  readonly #bytes: Uint8Array<ArrayBuffer>;

  private constructor(bytes: Uint8Array) {
    this.#bytes = clampPrivateKey(bytes);
  }

  /** From 32 bytes; clamps, as libsignal's `PrivateKey::deserialize` does. */
  static deserialize(bytes: Uint8Array): EcPrivateKey {
    if (bytes.length !== 32) throw new SignalProtocolError('bad-key-length', `EC private key must be 32 bytes, got ${bytes.length}`);
    return new EcPrivateKey(bytes);
  }

  /** The 32 clamped bytes (a copy): handle as a secret. */
  serialize(): Uint8Array<ArrayBuffer> {
    return copyBytes(this.#bytes);
  }

  /** @internal Borrowed view for signing and agreement inside this library. */
  get _bytes(): Uint8Array {
    return this.#bytes;
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** An X25519 key pair. Agreement goes through WebCrypto when the platform has X25519. */
export class EcKeyPair {
  #handle: Promise<CryptoKey | undefined> | undefined;

  private constructor(
    readonly publicKey: EcPublicKey,
    readonly privateKey: EcPrivateKey,
    handle?: CryptoKey,
  ) {
    if (handle !== undefined) this.#handle = Promise.resolve(handle);
  }

  /** A new random key pair. */
  static async generate(): Promise<EcKeyPair> {
    const generated = await generateX25519();
    if (generated.handle !== undefined) rememberX25519Handle(generated.publicKey, generated.handle);
    return new EcKeyPair(
      EcPublicKey.fromPublicKeyBytes(generated.publicKey),
      EcPrivateKey.deserialize(generated.privateKey),
      generated.handle,
    );
  }

  /** From both halves, as stored (the public half is trusted to match). */
  static fromKeys(publicKey: EcPublicKey, privateKey: EcPrivateKey): EcKeyPair {
    return new EcKeyPair(publicKey, privateKey);
  }

  /** From a private key alone (computes the public key). */
  static fromPrivateKey(privateKey: EcPrivateKey): EcKeyPair {
    return new EcKeyPair(EcPublicKey.fromPublicKeyBytes(x25519PublicKey(privateKey._bytes)), privateKey);
  }

  /** X25519 with their public key; rejects low-order keys. */
  async agree(theirPublicKey: EcPublicKey): Promise<Uint8Array> {
    this.#handle ??= importX25519PrivateKey(this.privateKey._bytes, this.publicKey.publicKeyBytes());
    return agreeX25519(this.privateKey._bytes, theirPublicKey.publicKeyBytes(), await this.#handle, platformPublicKey(theirPublicKey));
  }

  /** libsignal's Curve25519 signature over `message`. */
  sign(message: Uint8Array): Uint8Array {
    return calculateSignature(this.privateKey, message);
  }

  /** Whether both pairs hold the same keys (constant time). */
  equals(other: EcKeyPair): boolean {
    return this.publicKey.equals(other.publicKey) && constantTimeEqual(this.privateKey._bytes, other.privateKey._bytes);
  }
}

/** This account's long-term identity: an X25519 key pair that also signs. */
export class IdentityKeyPair {
  private constructor(readonly keyPair: EcKeyPair) {}

  /** A new random identity. */
  static async generate(): Promise<IdentityKeyPair> {
    return new IdentityKeyPair(await EcKeyPair.generate());
  }

  /** Wraps an existing key pair. */
  static fromKeyPair(keyPair: EcKeyPair): IdentityKeyPair {
    return new IdentityKeyPair(keyPair);
  }

  /** The public identity key others see. */
  get publicKey(): EcPublicKey {
    return this.keyPair.publicKey;
  }

  /** The private identity key. */
  get privateKey(): EcPrivateKey {
    return this.keyPair.privateKey;
  }

  /** Signs with the identity key. */
  sign(message: Uint8Array): Uint8Array {
    return this.keyPair.sign(message);
  }

  /** libsignal's `IdentityKeyPairStructure` protobuf (public 33 bytes, private 32). */
  serialize(): Uint8Array {
    return new ProtoWriter().bytes(1, this.publicKey.serialize()).bytes(2, this.privateKey.serialize()).finish();
  }

  /** Reads {@link IdentityKeyPair.serialize}'s format (also libsignal's). */
  static deserialize(bytes: Uint8Array): IdentityKeyPair {
    const reader = ProtoReader.decode(bytes);
    const publicKey = EcPublicKey.deserialize(reader.requiredBytes(1, 'identity public key'));
    const privateKey = EcPrivateKey.deserialize(reader.requiredBytes(2, 'identity private key'));
    return new IdentityKeyPair(EcKeyPair.fromKeys(publicKey, privateKey));
  }
}

redactWhenPrinted(EcKeyPair, 'redacted key pair');
redactWhenPrinted(IdentityKeyPair, 'redacted identity key pair');
