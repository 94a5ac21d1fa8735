/**
 * The one pino logger every listener shares. The server relays ciphertext and checks bearer
 * tokens: neither, nor any key material, may reach a log line.
 */
import { pino, type Logger } from 'pino';
import type { ServerConfig } from '../config.js';

/**
 * Paths pino censors wherever they appear. Request logs carry no headers by default; these are
 * the backstop for a future `log.info({ req })` or a frame logged by mistake.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'ciphertext',
  '*.ciphertext',
  'messages[*].ciphertext',
  '*.messages[*].ciphertext',
  // Key material and link secrets, should a body or frame ever be logged whole.
  'provisioningToken',
  '*.provisioningToken',
  'envelope',
  '*.envelope',
  'identityKey',
  '*.identityKey',
  'ephemeralPublicKey',
  '*.ephemeralPublicKey',
  'mac',
  '*.mac',
  'body',
  // Group calls (sfu/): SDP says which addresses a device has; room secrets and join tokens open rooms.
  'jsep',
  '*.jsep',
  '*.request.jsep',
  'sdp',
  '*.sdp',
  'secret',
  '*.secret',
];

/** Creates the server's logger from its configuration. */
export function createLogger(config: Pick<ServerConfig, 'logLevel' | 'logDestination'>): Logger {
  const options = { level: config.logLevel, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
  return config.logDestination ? pino(options, config.logDestination) : pino(options);
}
