import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, constantTimeEqual } from '@parley/bytes';
import { SignalProtocolError } from './errors.js';
import { ProtoReader, ProtoWriter } from './protobuf.js';
import type { EcPublicKey } from './public-keys.js';

// Safety numbers as libsignal computes them (fingerprint.rs): per identity, 5,200 iterated SHA-512
// over the serialized identity key and a stable identifier; the displayable form is 12 groups of
// five digits (both halves, the smaller first, so both sides see the same 60 digits), the
// scannable form a protobuf for QR codes.

/** Iterations Signal uses. */
export const FINGERPRINT_ITERATIONS = 5200;
/** Scannable format version Signal uses with service-id identifiers. */
export const SCANNABLE_FINGERPRINT_VERSION = 2;

const FINGERPRINT_FORMAT = new Uint8Array([0, 0]);

function iteratedHash(iterations: number, identifier: Uint8Array, key: EcPublicKey): Uint8Array {
  if (!Number.isInteger(iterations) || iterations <= 1 || iterations > 1_000_000) {
    throw new SignalProtocolError('invalid-argument', `invalid fingerprint iteration count ${iterations}`);
  }
  const keyBytes = key.serialize();
  let hash = sha512(concatBytes(FINGERPRINT_FORMAT, keyBytes, identifier, keyBytes));
  const buffer = new Uint8Array(64 + keyBytes.length);
  buffer.set(keyBytes, 64);
  for (let i = 1; i < iterations; i++) {
    buffer.set(hash, 0);
    hash = sha512(buffer);
  }
  return hash;
}

function displayHalf(hash: Uint8Array): string {
  let out = '';
  for (let chunk = 0; chunk < 6; chunk++) {
    let value = 0;
    for (let i = 0; i < 5; i++) value = value * 256 + hash[chunk * 5 + i]!;
    out += String(value % 100_000).padStart(5, '0');
  }
  return out;
}

/** Both forms of the safety number between two identities. */
export interface Fingerprint {
  /** 60 digits, identical on both sides. */
  readonly displayable: string;
  /** `CombinedFingerprints` protobuf: version, our half, their half (each 32 bytes). */
  readonly scannable: Uint8Array;
}

/** The safety number of our identity and theirs, each with its stable identifier (e.g. account id bytes). */
export function createFingerprint(params: {
  localIdentifier: Uint8Array;
  localKey: EcPublicKey;
  remoteIdentifier: Uint8Array;
  remoteKey: EcPublicKey;
  iterations?: number;
  version?: number;
}): Fingerprint {
  const iterations = params.iterations ?? FINGERPRINT_ITERATIONS;
  const local = iteratedHash(iterations, params.localIdentifier, params.localKey);
  const remote = iteratedHash(iterations, params.remoteIdentifier, params.remoteKey);
  const l = displayHalf(local);
  const r = displayHalf(remote);
  return {
    displayable: l < r ? l + r : r + l,
    scannable: new ProtoWriter()
      .uint32(1, params.version ?? SCANNABLE_FINGERPRINT_VERSION)
      .bytes(2, new ProtoWriter().bytes(1, local.subarray(0, 32)).finish())
      .bytes(3, new ProtoWriter().bytes(1, remote.subarray(0, 32)).finish())
      .finish(),
  };
}

/**
 * Whether a scanned code is the peer's view of the same safety number (their local half is our
 * remote half and vice versa). A different format version is an `invalid-argument` error.
 */
export function compareScannableFingerprints(ours: Uint8Array, scanned: Uint8Array): boolean {
  const mine = ProtoReader.decode(ours);
  const theirs = ProtoReader.decode(scanned);
  const version = mine.uint32(1);
  const theirVersion = theirs.uint32(1) ?? 0;
  if (theirVersion !== version) throw new SignalProtocolError('invalid-argument', `fingerprint version mismatch: theirs ${theirVersion}, ours ${version}`);
  const half = (r: ProtoReader, field: number): Uint8Array => ProtoReader.decode(r.requiredBytes(field, 'fingerprint half')).requiredBytes(1, 'fingerprint content');
  const a = constantTimeEqual(half(theirs, 2), half(mine, 3));
  const b = constantTimeEqual(half(theirs, 3), half(mine, 2));
  return a && b;
}
