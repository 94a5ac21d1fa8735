// The Kyber1024 arithmetic (@noble/post-quantum's ML-KEM and SHA-3), loaded by kem.ts on first use:
// only a new session (PQXDH) or new Kyber prekeys need it, so a returning visit does not fetch it
// before its conversation list shows (issue 20).
import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js';
import { sha3_256, shake256 } from '@noble/hashes/sha3.js';
import { concatBytes } from '@parley/bytes';

/** ML-KEM-1024, whose key formats and IND-CPA core are Kyber1024's (see kem.ts). */
export const mlKem1024 = ml_kem1024;

/** SHA3-256, Kyber's H. */
export const sha3 = sha3_256;

/** Kyber's shared secret from ML-KEM's: SHAKE256(K̄ ‖ SHA3-256(c), 32) (see kem.ts). */
export function kyberSecret(mlKemKey: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return shake256(concatBytes(mlKemKey, sha3_256(ciphertext)), { dkLen: 32 });
}
