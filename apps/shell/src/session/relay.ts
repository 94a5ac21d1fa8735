import { type DeliverFrame, RELAY_PATH } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import { type ControlFrame, type EarlyPublisher, RelayClient } from '@parley/signaling';

/** The relay endpoint on the shell's own origin, so it follows wherever the shell is deployed. */
export function relayUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${RELAY_PATH}`;
}

/**
 * Creates this device's one relay connection, authenticated with the device token. The device
 * session provides it to chat and call and connects it once the messenger listens.
 */
export function createRelay(options: {
  token: string;
  bus: EventBus;
  location: Pick<Location, 'protocol' | 'host'>;
  decrypt: (frame: DeliverFrame, early: EarlyPublisher) => Promise<unknown>;
  onControlFrame: (frame: ControlFrame) => Promise<void>;
}): RelayClient {
  return new RelayClient({
    url: relayUrl(options.location),
    token: () => options.token,
    bus: options.bus,
    decrypt: options.decrypt,
    onControlFrame: options.onControlFrame,
  });
}
