import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToNumberLE, numberToBytesLE } from '@noble/curves/utils.js';

// Curve25519 helpers shared by signature verification and key validation. Public data only: the
// verify-only entry point imports this file, so no private-key operation belongs here.

/** The Edwards25519 point type of @noble/curves. */
export type EdwardsPoint = InstanceType<typeof ed25519.Point>;

/** Edwards25519 point constructor, field and group order. */
export const Edwards = ed25519.Point;
const Fp = Edwards.Fp;
/** Order of the prime-order subgroup (ℓ). */
export const GROUP_ORDER = Edwards.Fn.ORDER;
const P = Fp.ORDER;

/** Little-endian bytes → integer. */
export const leToNumber = (bytes: Uint8Array): bigint => bytesToNumberLE(bytes);
/** Integer → 32 little-endian bytes. */
export const numberToLe32 = (n: bigint): Uint8Array => numberToBytesLE(n, 32);

/**
 * The Edwards point birationally equivalent to Montgomery u, with the x sign taken from `signBit`
 * (y = (u − 1)/(u + 1)), as curve25519-dalek's `to_edwards` does: bit 255 of u is ignored, u is read
 * modulo p, and u = −1 has no image.
 */
export function montgomeryToEdwards(u: Uint8Array, signBit: 0 | 1): EdwardsPoint | undefined {
  const masked = Uint8Array.from(u);
  masked[31]! &= 0x7f;
  const uValue = Fp.create(leToNumber(masked));
  if (uValue === P - 1n) return undefined;
  const y = Fp.div(Fp.sub(uValue, 1n), Fp.add(uValue, 1n));
  const encoded = numberToLe32(y);
  encoded[31]! |= signBit << 7;
  try {
    // zip215 decoding tolerates x = 0 with the sign bit set, which dalek also accepts.
    return Edwards.fromBytes(encoded, true);
  } catch {
    return undefined;
  }
}

/**
 * libsignal's `PublicKey::is_canonical` for a raw X25519 key: u < p with bit 255 clear, and the
 * matching Edwards point has no small-order component. PQXDH responders reject non-canonical base keys.
 */
export function isCanonicalMontgomery(u: Uint8Array): boolean {
  if (u.length !== 32 || (u[31]! & 0x80) !== 0) return false;
  if (leToNumber(u) >= P) return false;
  const point = montgomeryToEdwards(u, 0);
  return point !== undefined && point.isTorsionFree();
}
