import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, constantTimeEqual, copyBytes, toHex } from '@parley/bytes';
import { Edwards, type EdwardsPoint, GROUP_ORDER, leToNumber, montgomeryToEdwards } from './curve25519.js';
import type { EcPublicKey } from './public-keys.js';

/** Signature length of libsignal's Curve25519 signatures. */
export const SIGNATURE_LENGTH = 64;

interface Parsed {
  readonly a: EdwardsPoint;
  readonly r: Uint8Array;
  /** s with the sign bit cleared, or undefined when s ≥ 2^253 (libsignal rejects those). */
  readonly s: Uint8Array;
}

// Identity and signing keys verify many signatures: keep their Edwards form (public data; the
// conversion costs a field inversion and a square root).
const EDWARDS_CACHE_SIZE = 256;
const edwardsForm = new Map<string, EdwardsPoint | null>();

function edwards(publicKey: EcPublicKey, signBit: 0 | 1): EdwardsPoint | undefined {
  const id = `${signBit}${toHex(publicKey.publicKeyBytes())}`;
  let point = edwardsForm.get(id);
  if (point === undefined) {
    point = montgomeryToEdwards(publicKey.publicKeyBytes(), signBit) ?? null;
    edwardsForm.set(id, point);
    if (edwardsForm.size > EDWARDS_CACHE_SIZE) edwardsForm.delete(edwardsForm.keys().next().value!);
  }
  return point ?? undefined;
}

function parse(publicKey: EcPublicKey, signature: Uint8Array): Parsed | undefined {
  if (signature.length !== SIGNATURE_LENGTH) return undefined;
  const signBit = ((signature[63]! & 0x80) >> 7) as 0 | 1;
  const a = edwards(publicKey, signBit);
  if (a === undefined) return undefined;
  const s = Uint8Array.from(signature.subarray(32));
  s[31]! &= 0x7f;
  if ((s[31]! & 0xe0) !== 0) return undefined;
  return { a, r: signature.subarray(0, 32), s };
}

function verifyParsed({ a, r, s }: Parsed, message: Uint8Array): boolean {
  const h = leToNumber(sha512(concatBytes(r, a.toBytes(), message))) % GROUP_ORDER;
  const check = Edwards.BASE.multiplyUnsafe(leToNumber(s) % GROUP_ORDER).subtract(a.multiplyUnsafe(h));
  return constantTimeEqual(check.toBytes(), r);
}

/**
 * Verifies libsignal's Curve25519 signature (XEdDSA family): Ed25519 verification against the
 * Edwards form of the X25519 key, whose x sign travels in bit 7 of the last signature byte.
 * Mirrors libsignal exactly — cofactorless check R == [s]B − [h]A on the encoded R, s below 2^253
 * and reduced modulo ℓ — so both sides accept the same signatures. Pure JS (synchronous).
 */
export function verifySignature(publicKey: EcPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  const parsed = parse(publicKey, signature);
  return parsed !== undefined && verifyParsed(parsed, message);
}

const subtle = (): SubtleCrypto => globalThis.crypto.subtle;
let webCryptoEd25519: Promise<boolean> | undefined;

function hasWebCryptoEd25519(): Promise<boolean> {
  webCryptoEd25519 ??= subtle()
    .importKey('raw', Edwards.BASE.toBytes() as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify'])
    .then(
      () => true,
      () => false,
    );
  return webCryptoEd25519;
}

/** Test hook: force the pure-JS verifier (or re-probe with `undefined`). */
export function setWebCryptoEd25519ForTesting(enabled: boolean | undefined): void {
  webCryptoEd25519 = enabled === undefined ? undefined : Promise.resolve(enabled);
}

/**
 * Same result as {@link verifySignature}, on the platform's Ed25519 where it has one (Node ≥ 20,
 * Chromium ≥ 137): the check is standard Ed25519 once the key is in Edwards form. Platform Ed25519
 * rejects s ≥ ℓ, which libsignal accepts (honest signers never produce it): such signatures take
 * the JS path so the two verifiers never disagree.
 */
export async function verifySignatureAsync(publicKey: EcPublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const parsed = parse(publicKey, signature);
  if (parsed === undefined) return false;
  if (leToNumber(parsed.s) >= GROUP_ORDER || !(await hasWebCryptoEd25519())) return verifyParsed(parsed, message);
  return (await verifyOnPlatform(parsed, message)) ?? verifyParsed(parsed, message);
}

/** Standard Ed25519 on the platform; undefined when it throws on the input. */
async function verifyOnPlatform({ a, r, s }: Parsed, message: Uint8Array): Promise<boolean | undefined> {
  try {
    const key = await subtle().importKey('raw', copyBytes(a.toBytes()), { name: 'Ed25519' }, false, ['verify']);
    return await subtle().verify({ name: 'Ed25519' }, key, copyBytes(concatBytes(r, s)), copyBytes(message));
  } catch {
    return undefined;
  }
}

/**
 * For a server checking signatures from strangers: {@link verifySignatureAsync} for every signature
 * an honest signer makes, but a scalar s ≥ ℓ (which libsignal accepts and XEdDSA never produces, as
 * it reduces s mod ℓ) is refused instead of being checked on the pure-JS path, and so is anything
 * the platform's Ed25519 throws on. A hostile body then costs what an honest one does: each check
 * is one platform verification (off the main thread in Node), never ~4 ms of JS on the event loop.
 * Where the platform has no Ed25519, every signature takes the JS path alike.
 */
export async function verifyCanonicalSignatureAsync(publicKey: EcPublicKey, message: Uint8Array, signature: Uint8Array): Promise<boolean> {
  const parsed = parse(publicKey, signature);
  if (parsed === undefined || leToNumber(parsed.s) >= GROUP_ORDER) return false;
  if (!(await hasWebCryptoEd25519())) return verifyParsed(parsed, message);
  return (await verifyOnPlatform(parsed, message)) ?? false;
}
