/** What went wrong, as a stable code callers can branch on. */
export type SignalErrorCode =
  | 'untrusted-identity'
  | 'invalid-message'
  | 'invalid-mac'
  | 'invalid-signature'
  | 'duplicate-message'
  | 'stale-session'
  | 'session-not-found'
  | 'bad-key-type'
  | 'bad-key-length'
  | 'invalid-key'
  | 'invalid-protobuf'
  | 'legacy-version'
  | 'unrecognized-version'
  | 'missing-prekey'
  | 'no-sender-key-state'
  | 'invalid-state'
  | 'invalid-argument';

/**
 * The one error type of this library: a code plus a human message that says what was wrong
 * ("message with old counter 3, chain is at 7"). Messages never contain key material.
 */
export class SignalProtocolError extends Error {
  override readonly name = 'SignalProtocolError';

  constructor(
    readonly code: SignalErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True when `error` is a {@link SignalProtocolError}, optionally with the given code. */
export function isSignalProtocolError(error: unknown, code?: SignalErrorCode): error is SignalProtocolError {
  return error instanceof SignalProtocolError && (code === undefined || error.code === code);
}
