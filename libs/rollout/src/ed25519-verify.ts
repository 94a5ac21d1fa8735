/**
 * Ed25519 signature verification (RFC 8032) on the platform's WebCrypto, with @noble/curves loaded
 * only where the platform has no Ed25519 (Chromium before 137, Firefox before 129).
 *
 * Why not noble everywhere: the manifest is checked on every visit before the chat can load, and
 * noble's curve code is ~15 kB on that critical path (issue 20). WebCrypto's is already in the browser.
 *
 * WebCrypto implementations differ at the edges RFC 8032 leaves open (BoringSSL, NSS and OpenSSL on
 * small-order keys and non-canonical encodings), so the strict checks that must not depend on the
 * browser are made here first, the same everywhere: a canonical S (< L, no malleated second
 * signature), and a public key that is a canonical encoding of a point of more than small order.
 * A non-canonical R cannot pass any of them: each compares R's bytes with its own canonical encoding.
 */

const PUBLIC_KEY_LENGTH = 32;
const SIGNATURE_LENGTH = 64;

/** The field prime 2^255 − 19. */
const P = (1n << 255n) - 19n;
/** The order of the base point, 2^252 + 27742317777372353535851937790883648493. */
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

/**
 * The y coordinates of the points of order 1, 2, 4 and 8 (each y names at most the two points ±x):
 * 1 (the identity), p − 1 (order 2), 0 (order 4) and the two of order 8. A key on one of them would
 * verify forged signatures under some implementations' equations.
 */
const SMALL_ORDER_Y = new Set<bigint>([
  0n,
  1n,
  P - 1n,
  littleEndian(hex('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a')),
  littleEndian(hex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05')),
]);

function hex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g)!, (byte) => parseInt(byte, 16));
}

function littleEndian(bytes: Uint8Array): bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  return value;
}

/** A canonical encoding (y < p) of a point that is not of small order. Whether y is on the curve is the verifier's to find. */
export function isAcceptablePublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_LENGTH) return false;
  const y = littleEndian(publicKey) & ((1n << 255n) - 1n);
  return y < P && !SMALL_ORDER_Y.has(y);
}

/** S, the second half of a signature, is reduced mod L: otherwise S + L would be a second valid signature. */
export function hasCanonicalScalar(signature: Uint8Array): boolean {
  return signature.length === SIGNATURE_LENGTH && littleEndian(signature.subarray(32)) < L;
}

type Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => Promise<boolean>;

/** WebCrypto, or null where it lacks Ed25519 (the import is refused as unsupported). */
async function webCryptoVerify(subtle: SubtleCrypto, signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean | null> {
  let key: CryptoKey;
  try {
    key = await subtle.importKey('raw', publicKey as Uint8Array<ArrayBuffer>, { name: 'Ed25519' }, false, ['verify']);
  } catch (error) {
    if (error instanceof Error && error.name === 'NotSupportedError') return null;
    // DataError: the bytes are not a point on the curve.
    return false;
  }
  try {
    return await subtle.verify({ name: 'Ed25519' }, key, signature as Uint8Array<ArrayBuffer>, message as Uint8Array<ArrayBuffer>);
  } catch {
    return false;
  }
}

async function nobleVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  const { ed25519 } = await import('@noble/curves/ed25519.js');
  try {
    // Strict RFC 8032 decoding (not ZIP-215): one valid encoding per signature and key.
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Makes a verifier over the given WebCrypto (null takes the fallback; WebCrypto is absent outside
 * secure contexts). Once the platform says it has no Ed25519, later calls go straight to the fallback.
 */
export function ed25519Verifier(subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null): Verify {
  let platform = subtle;
  return async (signature, message, publicKey) => {
    if (!hasCanonicalScalar(signature) || !isAcceptablePublicKey(publicKey)) return false;
    if (platform) {
      const verdict = await webCryptoVerify(platform, signature, message, publicKey);
      if (verdict !== null) return verdict;
      platform = null;
    }
    return nobleVerify(signature, message, publicKey);
  };
}

/** Verifies an Ed25519 signature over `message` (RFC 8032, strict encodings, small-order keys refused). Never throws. */
export const verifyEd25519: Verify = ed25519Verifier();
