import { x25519 } from '@noble/curves/ed25519.js';
import { copyBytes, fromBase64Url, toBase64Url } from '@parley/bytes';
import { randomBytes } from './bytes.js';
import { SignalProtocolError } from './errors.js';

// X25519 runs on WebCrypto where the platform has it (Node ≥ 20, Chromium ≥ 133, Firefox, Safari):
// native code is ~15× faster than pure-JS scalar multiplication. @noble/curves is the fallback.

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
let webCryptoX25519: Promise<boolean> | undefined;

/** Whether this platform's WebCrypto implements X25519 (probed once). */
export function hasWebCryptoX25519(): Promise<boolean> {
  webCryptoX25519 ??= subtle()
    .generateKey({ name: 'X25519' }, false, ['deriveBits'])
    .then(
      () => true,
      () => false,
    );
  return webCryptoX25519;
}

/** Test hook: force the pure-JS path (or re-probe with `undefined`). */
export function setWebCryptoX25519ForTesting(enabled: boolean | undefined): void {
  webCryptoX25519 = enabled === undefined ? undefined : Promise.resolve(enabled);
}

/** Clamps a scalar as RFC 7748 and libsignal do. */
export function clampPrivateKey(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = copyBytes(bytes);
  out[0]! &= 248;
  out[31]! &= 127;
  out[31]! |= 64;
  return out;
}

/** A freshly generated key pair; `handle` is the platform key when WebCrypto made it. */
export interface GeneratedX25519 {
  privateKey: Uint8Array<ArrayBuffer>;
  publicKey: Uint8Array<ArrayBuffer>;
  handle?: CryptoKey;
}

/** Generates an X25519 key pair; the private key is returned clamped, as libsignal stores it. */
export async function generateX25519(): Promise<GeneratedX25519> {
  if (await hasWebCryptoX25519()) {
    const pair = (await subtle().generateKey({ name: 'X25519' }, true, ['deriveBits'])) as CryptoKeyPair;
    const jwk = await subtle().exportKey('jwk', pair.privateKey);
    if (jwk.d === undefined || jwk.x === undefined) throw new SignalProtocolError('invalid-state', 'platform exported no X25519 key');
    return {
      privateKey: clampPrivateKey(fromBase64Url(jwk.d)),
      publicKey: fromBase64Url(jwk.x),
      handle: pair.privateKey,
    };
  }
  const privateKey = clampPrivateKey(randomBytes(32));
  return { privateKey, publicKey: copyBytes(x25519.getPublicKey(privateKey)) };
}

/** The public key of a private key (pure JS; used only when a private key arrives alone). */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array<ArrayBuffer> {
  return copyBytes(x25519.getPublicKey(privateKey));
}

// Ratchet keys leave memory as bytes after each message (the session is stored) and come back on
// the next; re-importing them costs a thread hop. Platform handles of recently used private keys
// are kept here, looked up by their public key. CryptoKeys are opaque (never logged or exported
// from here) and the map is small and bounded.
const HANDLE_CACHE_SIZE = 128;
const privateHandles = new Map<string, CryptoKey>();

function publicKeyId(publicKey: Uint8Array): string {
  let out = '';
  for (const b of publicKey) out += b.toString(16).padStart(2, '0');
  return out;
}

/** Remembers the platform handle of a private key, by its public key. */
export function rememberX25519Handle(publicKey: Uint8Array, handle: CryptoKey): void {
  const id = publicKeyId(publicKey);
  privateHandles.delete(id);
  privateHandles.set(id, handle);
  if (privateHandles.size > HANDLE_CACHE_SIZE) privateHandles.delete(privateHandles.keys().next().value!);
}

/** Imports a private key into the platform for agreement (needs its public half for JWK). */
export async function importX25519PrivateKey(privateKey: Uint8Array, publicKey: Uint8Array): Promise<CryptoKey | undefined> {
  if (!(await hasWebCryptoX25519())) return undefined;
  const cached = privateHandles.get(publicKeyId(publicKey));
  if (cached !== undefined) return cached;
  return subtle().importKey(
    'jwk',
    { kty: 'OKP', crv: 'X25519', d: toBase64Url(privateKey), x: toBase64Url(publicKey) },
    { name: 'X25519' },
    false,
    ['deriveBits'],
  ).then((handle) => {
    rememberX25519Handle(publicKey, handle);
    return handle;
  });
}

const invalidAgreement = (cause?: unknown): SignalProtocolError =>
  new SignalProtocolError('invalid-key', 'X25519 agreement with a low-order public key', { cause });

/** Imports a peer's public key into the platform (undefined without WebCrypto X25519). */
export async function importX25519PublicKey(publicKey: Uint8Array): Promise<CryptoKey | undefined> {
  if (!(await hasWebCryptoX25519())) return undefined;
  return subtle().importKey('raw', copyBytes(publicKey), { name: 'X25519' }, true, []);
}

/**
 * X25519(private, public). Rejects an all-zero result (a low-order peer key), as libsignal does.
 * `handle` / `theirHandle` are the platform keys when they exist.
 */
export async function agreeX25519(
  privateKey: Uint8Array,
  theirPublicKey: Uint8Array,
  handle?: CryptoKey,
  theirHandle?: Promise<CryptoKey | undefined>,
): Promise<Uint8Array> {
  let shared: Uint8Array;
  if (handle !== undefined) {
    try {
      const pub = (await theirHandle) ?? (await subtle().importKey('raw', copyBytes(theirPublicKey), { name: 'X25519' }, false, []));
      shared = new Uint8Array(await subtle().deriveBits({ name: 'X25519', public: pub }, handle, 256));
    } catch (error) {
      throw invalidAgreement(error);
    }
  } else {
    try {
      shared = x25519.getSharedSecret(privateKey, theirPublicKey);
    } catch (error) {
      throw invalidAgreement(error);
    }
  }
  let nonZero = 0;
  for (const b of shared) nonZero |= b;
  if (nonZero === 0) throw invalidAgreement();
  return shared;
}
