/**
 * What can go wrong on the relay connection, as values: a code a program can switch on and a
 * message a developer can read. The messages are diagnostics, not UI text; apps map codes to
 * localized strings. Nothing here ever carries ciphertext or plaintext.
 */

import type { RelayCloseCause } from '@parley/contracts';

/** Every failure the relay client reports, by cause. */
export type RelayErrorCode =
  /** The server closed with RELAY_CLOSE.authFailed: the token is bad; no more reconnects. */
  | 'auth-failed'
  /** The server closed with RELAY_CLOSE.deviceRemoved: this device was removed (or signed out); no more reconnects. */
  | 'device-removed'
  /** The server closed with RELAY_CLOSE.replaced: this device connected elsewhere; no more reconnects. */
  | 'replaced'
  /** The token callback threw or returned nothing; the attempt counts as a drop. */
  | 'token-unavailable'
  /** No `ready` within the handshake timeout. */
  | 'handshake-timeout'
  /** No `pong` within the pong timeout; the connection counted as dropped. */
  | 'pong-timeout'
  /** The server sent an `error` frame. */
  | 'server-error'
  /** A server frame that is not JSON or fails ServerFrameSchema; it was ignored. */
  | 'invalid-frame'
  /** `decrypt` threw for a delivered message; it was acked since it can never succeed. */
  | 'undecryptable'
  /** `decrypt` threw a DeliveryDeferred (e.g. the network was down): not acked, so it comes again after a reconnect. */
  | 'delivery-deferred'
  /** Decrypted content failed ContentSchema; it was acked since it can never succeed. */
  | 'invalid-content'
  /** Publishing delivered content on the bus, or an `onControlFrame` handler, threw; content is not acked, so the server redelivers it. */
  | 'handler-failed'
  /** A `send` frame that fails SendFrameSchema, is too large, or reuses a pending id. */
  | 'invalid-send'
  /** The server answered a `send` with `ok: false`; `serverCode` says why. */
  | 'send-rejected'
  /** No `result` for a `send` within the send timeout. */
  | 'send-timeout'
  /** The client was closed (or stopped for good) before the send completed. */
  | 'closed'
  /** An SFU request made while the relay is not connected, or in flight when it dropped. */
  | 'offline'
  /** The server answered an SFU request with `ok: false`; `serverCode` says why (SFU_ERROR_CODES). */
  | 'sfu-rejected'
  /** No `sfu-result` within the send timeout. */
  | 'sfu-timeout';

/** With a `devices_changed` rejection: which devices the send must add, drop, or start a new session with. */
export interface DevicesChanged {
  readonly missing: readonly number[];
  readonly extra: readonly number[];
  readonly stale: readonly number[];
}

/** What a RelayError may say beyond its code. */
export interface RelayErrorDetails {
  readonly messageId?: string | undefined;
  readonly serverCode?: string | undefined;
  readonly devices?: DevicesChanged | undefined;
  /** For `auth-failed`, `device-removed` and `replaced`: the server's close, by its contract cause. */
  readonly closeCause?: RelayCloseCause | undefined;
}

/** A relay failure: a code, a human message and, when it concerns one message, its id. */
export class RelayError extends Error {
  override readonly name = 'RelayError';

  constructor(
    readonly code: RelayErrorCode,
    message: string,
    readonly details: RelayErrorDetails = {},
  ) {
    super(message);
  }

  /** Id of the message concerned (a delivered message or a send), if any. */
  get messageId(): string | undefined {
    return this.details.messageId;
  }

  /** The server's own code, for `send-rejected` and `server-error`. */
  get serverCode(): string | undefined {
    return this.details.serverCode;
  }

  /** For a `send-rejected` with server code `devices_changed`: the device lists to fix. */
  get devices(): DevicesChanged | undefined {
    return this.details.devices;
  }
}

/**
 * Thrown by a `decrypt` callback for a message that cannot be handled *yet* (nothing was consumed:
 * no key spent, nothing stored), e.g. because looking its sender up failed on the network. The
 * relay client does not ack it, so the server keeps it and delivers it again after a reconnect.
 */
export class DeliveryDeferred extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DeliveryDeferred';
  }
}
