import { ManualClock } from '@parley/clock/testing';
import { IdentityKeyPair } from '@parley/signal-protocol';
import { firstValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { type FetchFunction, ParleyApiClient } from './api-client.js';
import { ContactDirectory } from './contact-directory.js';
import { ConversationChanges } from './conversation-changes.js';
import { InMemoryHistoryStore } from './history-store.js';
import { identityKeyText, selfOf } from './signal-sessions.js';
import { apiFor, FakeParleyServer, linkNewDevice, registerDevice, type TestDevice } from './testing/index.js';

const running: TestDevice[] = [];
afterEach(() => {
  for (const device of running.splice(0)) device.stop();
});

/** Ada's directory (over its own history store) and Bob, on one fake server; `fetch` stands between Ada's directory and the server. */
async function adaAndBob(fetch?: (server: FakeParleyServer) => FetchFunction) {
  const server = new FakeParleyServer();
  const ada = await registerDevice(server, 'ada', 'Ada');
  const bob = await registerDevice(server, 'bob', 'Bob');
  running.push(ada, bob);
  const changes = new ConversationChanges();
  const clock = new ManualClock(5_000);
  const { token } = ada.setup.credentials;
  const directory = new ContactDirectory({
    self: selfOf(ada.setup.credentials),
    api: fetch ? new ParleyApiClient({ baseUrl: server.baseUrl, fetch: fetch(server), token }) : apiFor(server, token),
    store: ada.setup.store,
    history: new InMemoryHistoryStore(),
    changes,
    clock,
  });
  return { server, ada, bob, bobId: bob.setup.credentials.userId, directory, changes, clock };
}

describe('the contact directory', () => {
  it('records a user found by handle with their devices and identity key, and never this account', async () => {
    const { bob, bobId, directory } = await adaAndBob();
    const contact = await directory.findUser(' Bob ');
    expect(contact).toMatchObject({ userId: bobId, handle: 'bob', displayName: 'Bob', deviceIds: [1] });
    expect(contact.identityKey).toBe(identityKeyText((await bob.setup.store.getIdentityKeyPair()).publicKey));
    await expect(directory.findUser('ada')).rejects.toMatchObject({ code: 'invalid' });
    await expect(directory.findUser('nobody')).rejects.toMatchObject({ code: 'user-not-found' });
  });

  it('keeps a new identity key pending with one warning, and trusts it only when the user accepts', async () => {
    const { bobId, directory, changes } = await adaAndBob();
    const trusted = (await directory.contactFor(bobId)).identityKey;
    const next = (await IdentityKeyPair.generate()).publicKey;
    const listChanges = firstValueFrom(changes.all$.pipe(take(1), toArray()));
    await directory.identityChanged(bobId, next);
    await directory.identityChanged(bobId, next);
    expect(await listChanges).toEqual([null]);
    expect(await directory.known(bobId)).toMatchObject({ identityKey: trusted, pendingIdentityKey: identityKeyText(next) });
    expect(await directory.notices()).toEqual([{ kind: 'identity-changed', userId: bobId, at: 5_000 }]);

    expect(await directory.acceptIdentity(bobId)).toBe(true);
    expect(await directory.known(bobId)).toMatchObject({ identityKey: identityKeyText(next), pendingIdentityKey: undefined });
    expect(await directory.notices()).toEqual([]);
    expect(await directory.acceptIdentity(bobId)).toBe(false);
  });

  it("adds a contact's new devices with a notice each, and drops the ones the server says are gone", async () => {
    const { bobId, directory, clock } = await adaAndBob();
    await directory.contactFor(bobId);
    clock.advance(1_000);
    await directory.applyDeviceChange(bobId, { missing: [2, 3], extra: [], stale: [] });
    await directory.applyDeviceChange(bobId, { missing: [], extra: [1], stale: [] });
    expect(await directory.knownDevices(bobId)).toEqual([2, 3]);
    expect(await directory.notices()).toEqual([
      { kind: 'new-device', userId: bobId, deviceId: 2, at: 6_000 },
      { kind: 'new-device', userId: bobId, deviceId: 3, at: 6_000 },
    ]);
  });

  it("knows this account's other devices, asking the server again only after OWN_DEVICES_TTL_MS", async () => {
    const { server, ada, directory } = await adaAndBob();
    const adaId = ada.setup.credentials.userId;
    await directory.refreshOwnDevicesIfUnknown();
    expect(await directory.knownDevices(adaId)).toEqual([]);
    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);
    await directory.refreshOwnDevicesIfUnknown();
    expect(await directory.knownDevices(adaId)).toEqual([]);
    directory.forgetOwnDevicesCheck();
    await directory.refreshOwnDevicesIfUnknown();
    expect(await directory.knownDevices(adaId)).toEqual([ada2.setup.credentials.deviceId]);
  });

  it("asks for this account's devices at start-up without holding anyone up, and the copy-to-own-devices check waits for that answer", async () => {
    let releaseAnswer = () => {};
    const answerHeld = new Promise<void>((resolve) => (releaseAnswer = resolve));
    let asked = 0;
    const { server, ada, directory } = await adaAndBob((server) => async (input, init) => {
      if (String(input).endsWith('/api/devices')) {
        asked += 1;
        await answerHeld;
      }
      return server.fetch(input, init);
    });
    const ada2 = await linkNewDevice(server, ada);
    running.push(ada2);
    // As MessengerClient.open does: the own record first, then the ask in the background.
    await directory.ensureOwnRecord();
    directory.refreshOwnDevicesInBackground();
    let checked = false;
    const check = directory.refreshOwnDevicesIfUnknown().then(() => (checked = true));
    for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(asked).toBe(1);
    expect(checked).toBe(false);
    releaseAnswer();
    await check;
    expect(await directory.knownDevices(ada.setup.credentials.userId)).toEqual([ada2.setup.credentials.deviceId]);
    expect(asked).toBe(1);
  });

  it('gives the same safety number on both sides, and none for a stranger', async () => {
    const { ada, bob, bobId, directory } = await adaAndBob();
    const ours = await directory.safetyNumber((await directory.contactFor(bobId)).userId);
    expect(ours).toMatch(/^(\d{5} ){11}\d{5}$/);
    await bob.messenger.findUser('ada');
    expect(await bob.messenger.safetyNumber(ada.setup.credentials.userId)).toBe(ours);
    await expect(directory.safetyNumber('stranger')).rejects.toMatchObject({ code: 'user-not-found' });
  });
});
