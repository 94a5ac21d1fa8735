import { systemClock } from '@parley/clock';
import { describe, expect, it } from 'vitest';
import { createAccount } from './account-setup.js';
import { PreKeyMaintenance } from './prekey-maintenance.js';
import { apiFor, FakeParleyServer, inMemoryStore } from './testing/index.js';

const TARGET = { oneTimePreKeys: 6, kyberOneTimePreKeys: 4 };

async function deviceWith(counts: typeof TARGET) {
  const server = new FakeParleyServer();
  const { credentials, store } = await createAccount({ api: apiFor(server), createStore: inMemoryStore, handle: 'ada', displayName: 'Ada', preKeyCounts: counts });
  const api = apiFor(server, credentials.token);
  const left = () => server.preKeyCount(credentials.userId, credentials.deviceId);
  return { maintenance: new PreKeyMaintenance({ api, store, clock: systemClock, target: TARGET }), left, store };
}

describe('prekey maintenance', () => {
  it('tops one-time prekeys up to the target the server counts', async () => {
    const { maintenance, left } = await deviceWith({ oneTimePreKeys: 2, kyberOneTimePreKeys: 1 });
    await maintenance.topUp(left());
    expect(left()).toEqual(TARGET);
  });

  it('uploads once when the server says "low" twice during one upload', async () => {
    const { maintenance, left } = await deviceWith({ oneTimePreKeys: 2, kyberOneTimePreKeys: 1 });
    const remaining = left();
    await Promise.all([maintenance.topUp(remaining), maintenance.topUp(remaining)]);
    expect(left()).toEqual(TARGET);
  });
});
