import { RELAY_PATH, type Session } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import { RelayClient, provideRelayConnection } from '@parley/signaling';
import { devToken } from './dev-identity.js';

/**
 * Opens this device's one relay connection and provides it to chat and call. The relay is served
 * on the shell's own origin, so the URL follows wherever the shell is deployed.
 */
export function startRelay(session: Session, bus: EventBus, location: Location): RelayClient {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = new RelayClient({
    url: `${scheme}//${location.host}${RELAY_PATH}`,
    token: () => devToken(session),
    bus,
    // Placeholder until Signal sessions arrive with the chat issue: nothing can be decrypted yet,
    // so anything delivered is reported and acknowledged, never shown.
    decrypt: async () => {
      throw new Error('no Signal session yet');
    },
  });
  provideRelayConnection(client);
  client.connect();
  return client;
}
