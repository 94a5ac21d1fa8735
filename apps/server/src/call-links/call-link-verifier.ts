/**
 * The verifier proves that a client holds a link's root secret. The server keeps only its SHA-256
 * (a copy of the database lets no one join) and compares hashes in constant time, so the time an
 * answer takes says nothing about how much of a guessed verifier was right.
 */
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '@parley/bytes';
import { CallLinkVerifierSchema } from '@parley/contracts';

/** SHA-256 of the verifier's 32 bytes (it travels as base64url). */
export function hashVerifier(verifier: string): Uint8Array {
  return createHash('sha256').update(Buffer.from(verifier, 'base64url')).digest();
}

/** Whether `verifier` is well formed and hashes to `storedHash`, compared in constant time. */
export function verifierMatches(storedHash: Uint8Array, verifier: string): boolean {
  // A malformed verifier is still hashed and compared: refusing it early would answer faster.
  const wellFormed = CallLinkVerifierSchema.safeParse(verifier).success;
  const candidate = hashVerifier(wellFormed ? verifier : '');
  return constantTimeEqual(candidate, storedHash) && wellFormed;
}
