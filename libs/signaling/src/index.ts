export { Backoff, type BackoffOptions, DEFAULT_BACKOFF, backoffCeiling } from './backoff.js';
export { DeliveryDeferred, type DevicesChanged, RelayError, type RelayErrorCode, type RelayErrorDetails } from './errors.js';
export { RecentMessageIds } from './recent-message-ids.js';
export {
  DEFAULT_RELAY_TIMEOUTS,
  type ControlFrame,
  type EarlyPublisher,
  RelayClient,
  type RelayClientOptions,
  type RelayConnection,
  type RelayTimeouts,
} from './relay-client.js';
export type { RelaySocket, RelaySocketConstructor } from './relay-socket.js';
export { provideRelayConnection, relayConnection } from './singleton.js';
