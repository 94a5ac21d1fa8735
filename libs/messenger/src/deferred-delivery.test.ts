import { DeliveryDeferred } from '@parley/signaling';
import { describe, expect, it } from 'vitest';
import { ParleyApiClient } from './api-client.js';
import { InMemoryHistoryStore } from './history-store.js';
import { MessengerClient } from './messenger-client.js';
import { FakeParleyServer, registerDevice } from './testing/index.js';

describe('a message from someone the device cannot look up yet', () => {
  it('is deferred (not acked, nothing spent) while the network is down, not lost', async () => {
    const server = new FakeParleyServer();
    const alice = await registerDevice(server, 'alice');
    alice.stop();
    const bobSetup = (await registerDevice(server, 'bob')).setup;
    let networkUp = true;
    const flakyFetch: typeof server.fetch = (input, init) => (networkUp ? server.fetch(input, init) : Promise.reject(new TypeError('fetch failed')));
    const bob = await MessengerClient.open({
      self: { userId: bobSetup.credentials.userId, deviceId: bobSetup.credentials.deviceId, handle: 'bob', displayName: 'bob' },
      api: new ParleyApiClient({ baseUrl: server.baseUrl, fetch: flakyFetch, token: bobSetup.credentials.token }),
      store: bobSetup.store,
      history: new InMemoryHistoryStore(),
      relay: { send: async () => {} },
    });
    networkUp = false;
    const frame = {
      t: 'deliver' as const,
      id: 'e1',
      messageId: 'm1',
      from: { userId: alice.setup.credentials.userId, deviceId: 1 },
      type: 2 as const,
      ciphertext: 'AAAA',
    };
    await expect(bob.decrypt(frame)).rejects.toBeInstanceOf(DeliveryDeferred);
    // With the network back the same frame gets past the lookup (and fails later, on its fake bytes).
    networkUp = true;
    await expect(bob.decrypt(frame)).rejects.not.toBeInstanceOf(DeliveryDeferred);
    bob.close();
  });
});
