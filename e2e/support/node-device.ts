/**
 * A device run by the test process instead of a browser: the real messenger and relay client,
 * with in-memory stores and `ws` for the WebSocket. Used where a test needs a device to do what
 * no screen offers, such as starting over with a new identity key.
 */
import { EventBus } from '@parley/event-bus';
import { InMemoryHistoryStore, MessengerClient, type MessengerClientOptions, ParleyApiClient, type SessionCredentials } from '@parley/messenger';
import type { SignalProtocolStore } from '@parley/signal-protocol';
import { RelayClient, type RelaySocketConstructor } from '@parley/signaling';
import { WebSocket } from 'ws';
import type { RunningSystem } from './system.js';

export interface NodeDevice {
  readonly messenger: MessengerClient;
  stop(): void;
}

/**
 * Connects a device with these credentials and Signal store to the system's relay. `clock` dates
 * what it sends (the real time by default; screenshot tests give it a fixed calendar).
 */
export async function startNodeDevice(system: RunningSystem, credentials: SessionCredentials, store: SignalProtocolStore, clock?: MessengerClientOptions['clock']): Promise<NodeDevice> {
  const api = new ParleyApiClient({ baseUrl: system.addresses.api, fetch: (input, init) => fetch(input, init), token: credentials.token });
  let messenger: MessengerClient | null = null;
  const relay = new RelayClient({
    url: `${system.addresses.api.replace(/^http/, 'ws')}/ws`,
    token: () => credentials.token,
    bus: new EventBus(),
    decrypt: (frame) => messenger!.decrypt(frame),
    onControlFrame: (frame) => messenger!.handleControlFrame(frame),
    WebSocketImpl: WebSocket as unknown as RelaySocketConstructor,
  });
  messenger = await MessengerClient.open({
    self: { userId: credentials.userId, deviceId: credentials.deviceId, handle: credentials.handle, displayName: credentials.displayName },
    api,
    store,
    history: new InMemoryHistoryStore(),
    relay,
    ...(clock ? { clock } : {}),
  });
  relay.connect();
  return {
    messenger,
    stop() {
      relay.close();
      messenger?.close();
    },
  };
}
