/**
 * Why the relay closes a device's WebSocket: each cause with its close code, and the reasons the
 * server may send with it, declared once for the server that closes and the client that reacts. A
 * reason is for people reading logs; programs (and the apps' translated texts) go by the cause.
 */

import { RELAY_MAX_FRAME_BYTES } from './relay-frames.js';

/** Close codes the server uses: 4xxx is the application range of RFC 6455, the rest are its standard codes. */
export const RELAY_CLOSE = {
  /** The token is missing, wrong or could not be checked: the device stops reconnecting. */
  authFailed: 4001,
  /** A frame no client sends (binary, not JSON, too large): reconnecting starts afresh. */
  badFrame: 4002,
  /** The same device connected again from elsewhere: the older connection stops. */
  replaced: 4003,
  /** The device was removed from its account (or signed out, or its account deleted). */
  deviceRemoved: 4004,
  /** Too many relay sockets from this address or for this account; clients retry with backoff. */
  tooManyConnections: 4005,
  /** More frames than any client sends (e.g. a ping flood); clients retry with backoff. */
  tooManyFrames: 4006,
  /** The server is shutting down (RFC 6455 "going away"): reconnect. */
  goingAway: 1001,
  /** The server failed delivering (RFC 6455 "internal error"): reconnect. */
  internalError: 1011,
} as const;

/** The cause of a relay close, by name. */
export type RelayCloseCause = keyof typeof RELAY_CLOSE;
/** A close code the relay server sends. */
export type RelayCloseCode = (typeof RELAY_CLOSE)[RelayCloseCause];

/** Every close reason the server sends, by cause (RFC 6455 allows at most 123 bytes: short ASCII). */
export const RELAY_CLOSE_REASONS = {
  authFailed: ['No auth frame in time.', 'The first frame must be {"t":"auth","token":…}.', 'The server could not check the token; try again.', 'The token is not valid.'],
  badFrame: ['binary frames are not accepted', `frame exceeds ${RELAY_MAX_FRAME_BYTES} bytes`, 'too many frames before ready', 'frame is not JSON'],
  replaced: ['this device connected again elsewhere'],
  deviceRemoved: ['this device signed out', 'this device was removed from its account', 'this account was deleted', 'this device was not seen for too long and was removed'],
  tooManyConnections: ['too many connections from this address', 'Too many connections for this account.'],
  tooManyFrames: ['too many frames; slow down'],
  goingAway: ['server shutting down'],
  internalError: ['delivery failed; reconnect'],
} as const satisfies Record<RelayCloseCause, readonly string[]>;

/** A reason the server may give when it closes for `cause`. */
export type RelayCloseReason<C extends RelayCloseCause = RelayCloseCause> = (typeof RELAY_CLOSE_REASONS)[C][number];

const causeByCode = new Map<number, RelayCloseCause>(Object.entries(RELAY_CLOSE).map(([cause, code]) => [code, cause as RelayCloseCause]));

/** The cause of close code `code`, or null for a code the relay does not send (a network drop: 1006, a client's own close). */
export function relayCloseCauseOf(code: number): RelayCloseCause | null {
  return causeByCode.get(code) ?? null;
}
