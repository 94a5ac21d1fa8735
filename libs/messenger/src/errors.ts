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
