import { isSignalProtocolError } from '@parley/signal-protocol';
import { RelayError } from '@parley/signaling';
import type { MessengerFailure } from './messenger-api.js';

/**
 * A failed HTTP call, as a value: the server's own code (`handle_taken`, `user_not_found`,
 * `link_expired`, …) or one of ours (`network` when no answer came, `invalid_response` when the
 * answer does not match the contract), the HTTP status when there was one, and a message for
 * developers (never key material).
 */
export class ParleyApiError extends Error {
  override readonly name = 'ParleyApiError';

  constructor(
    readonly code: string,
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** A failed messenger operation: a {@link MessengerFailure} that is also an Error (so it has a stack). */
export class MessengerError extends Error implements MessengerFailure {
  override readonly name = 'MessengerError';

  readonly userId?: string;

  constructor(
    readonly code: MessengerFailure['code'],
    message: string,
    options?: { cause?: unknown; userId?: string },
  ) {
    super(message, options);
    if (options?.userId !== undefined) this.userId = options.userId;
  }
}

/** The failure of a send the server refused because a device of `userId` has too much undelivered. */
export function queueFull(userId: string, cause: unknown): MessengerError {
  return new MessengerError('queue-full', "a device of the recipient has too many undelivered messages on the server; nothing was sent", { cause, userId });
}

/** Whether `error` is a {@link ParleyApiError}, optionally with this code. */
export function isApiError(error: unknown, code?: string): error is ParleyApiError {
  return error instanceof ParleyApiError && (code === undefined || error.code === code);
}

/** Any error as a MessengerError with the closest code (what an awaited send or lookup rejects with). */
export function toMessengerError(error: unknown): MessengerError {
  if (error instanceof MessengerError) return error;
  if (error instanceof ParleyApiError) {
    const code = error.code === 'user_not_found' ? 'user-not-found' : error.code === 'rate_limited' ? 'rate-limited' : error.code === 'network' ? 'network' : 'invalid';
    return new MessengerError(code, error.message, { cause: error });
  }
  if (error instanceof RelayError) {
    const code =
      error.serverCode === 'unknown_user' ? 'user-not-found' : error.serverCode === 'rate_limited' ? 'rate-limited' : error.code === 'invalid-send' ? 'invalid' : 'network';
    return new MessengerError(code, error.message, { cause: error });
  }
  if (isSignalProtocolError(error, 'untrusted-identity')) return new MessengerError('identity-untrusted', error.message, { cause: error });
  return new MessengerError('invalid', error instanceof Error ? error.message : String(error), { cause: error });
}

/** Awaits `call`, turning whatever it throws into a MessengerError. */
export async function asMessengerCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toMessengerError(error);
  }
}

/** Where failures nobody awaits go (background sends, retries): the messenger's `failures$`. */
export type FailureSink = (failure: MessengerFailure) => void;

/** Lets `task` run on; if it fails, `sink` hears it as a MessengerError. */
export function inBackground(task: Promise<unknown>, sink: FailureSink): void {
  task.catch((error: unknown) => sink(toMessengerError(error)));
}
