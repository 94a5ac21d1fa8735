/**
 * Two kinds of trouble, kept apart on purpose:
 * - {@link SFrameError} is thrown for a broken contract at set-up time (a key installed twice, a
 *   counter out of range, an unknown cipher suite): a bug in the caller, not in the media.
 * - {@link SFrameFailure} is returned, never thrown, for a frame that cannot be processed (bad
 *   header, unknown key, replay, forgery). Media pipelines drop such frames and count them.
 */

/** Why a call broke the library's contract. */
export type SFrameErrorCode =
  | 'invalid-argument'
  | 'unsupported-cipher-suite'
  | 'wrong-key-usage'
  | 'key-already-used'
  | 'duplicate-key-id';

/** A contract violation by the caller: a code plus a message saying what was wrong. No key material. */
export class SFrameError extends Error {
  override readonly name = 'SFrameError';

  constructor(
    readonly code: SFrameErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error` is an {@link SFrameError}, optionally with the given code. */
export function isSFrameError(error: unknown, code?: SFrameErrorCode): error is SFrameError {
  return error instanceof SFrameError && (code === undefined || error.code === code);
}

/** Why one frame could not be encrypted or decrypted. */
export type SFrameFailureCode =
  /** The SFrame header is truncated or not minimally encoded. */
  | 'malformed-header'
  /** The frame is too short for its codec's clear prefix, or for an SFrame tag. */
  | 'malformed-frame'
  /** No key with the header's KID is held (never given, or already rotated out). */
  | 'unknown-key-id'
  /** This (KID, CTR) was already accepted once. */
  | 'replayed-frame'
  /** A byte-identical copy of a frame already accepted (the sender retransmitted it): drop it, it is no error. */
  | 'retransmitted-frame'
  /** The CTR lies below the replay window: too old to tell whether it is a replay. */
  | 'stale-frame'
  /** The AEAD rejected the frame: wrong key, or ciphertext, header or clear prefix altered. */
  | 'authentication-failed'
  /** The sender has no key installed. */
  | 'no-sending-key'
  /** The sending key has used every counter value; a new key (KID) is needed. */
  | 'counter-exhausted'
  /** WebCrypto failed for a reason other than authentication (should not happen). */
  | 'crypto-error';

/** A frame that could not be processed: a typed value the caller counts, never an exception. */
export interface SFrameFailure {
  readonly code: SFrameFailureCode;
  /** Human-readable detail, free of key material. */
  readonly message: string;
  /** The KID from the header, when the header could be read (lets the caller name the sender). */
  readonly kid?: bigint;
  /** The CTR from the header, when the header could be read. */
  readonly ctr?: bigint;
}

/** Success with a value, or a typed failure. */
export type SFrameResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: SFrameFailure };

/** Wraps a value as a successful result. */
export function succeed<T>(value: T): SFrameResult<T> {
  return { ok: true, value };
}

/** Builds a failed result. */
export function fail<T>(code: SFrameFailureCode, message: string, where?: { kid?: bigint; ctr?: bigint }): SFrameResult<T> {
  const failure: SFrameFailure = { code, message, ...(where?.kid !== undefined && { kid: where.kid }), ...(where?.ctr !== undefined && { ctr: where.ctr }) };
  return { ok: false, failure };
}
