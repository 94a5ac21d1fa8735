import type { DeliverFrame } from '@parley/contracts';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAccount } from './account-setup.js';
import { InMemoryHistoryStore } from './history-store.js';
import { boundQuarantine, MAX_QUARANTINED, MAX_QUARANTINED_PER_CONTACT } from './identity-quarantine.js';
import { apiFor, FakeParleyServer, inMemoryStore, registerDevice, reinstallWithNewIdentity, startDevice, TEST_PREKEY_COUNTS, type TestDevice } from './testing/index.js';

const running: TestDevice[] = [];
afterEach(() => {
  for (const device of running.splice(0)) device.stop();
});

const self = (device: TestDevice) => device.setup.credentials;
const texts = async (device: TestDevice, conversationId: string) => (await firstValueFrom(device.messenger.history$(conversationId))).map((m) => m.body);

/** Ada (history in `history`, to outlive a reload) knows bob; bob then reinstalls with a new identity key. */
async function identityChange() {
  const server = new FakeParleyServer();
  const history = new InMemoryHistoryStore();
  const adaSetup = await createAccount({ api: apiFor(server), createStore: inMemoryStore, handle: 'ada', displayName: 'ada', preKeyCounts: TEST_PREKEY_COUNTS });
  const bob = await registerDevice(server, 'bob');
  running.push(bob);
  let ada = await startDevice(server, adaSetup, { history });
  running.push(ada);
  await ada.messenger.findUser('bob');
  const bob2 = await reinstallWithNewIdentity(server, bob);
  running.push(bob2);
  await bob2.messenger.findUser('ada');
  return {
    server,
    ada: () => ada,
    bob2,
    bobId: self(bob).userId,
    /** Stops ada's page and starts it again on the same stores, as a reload does. */
    reload: async () => {
      ada.stop();
      ada = await startDevice(server, adaSetup, { history });
      running.push(ada);
    },
  };
}

describe('the identity-change quarantine (issue 21)', () => {
  it('held messages survive a reload: accepting the new identity afterwards shows them', async () => {
    const { ada, bob2, bobId, reload, server } = await identityChange();
    await bob2.messenger.sendText(self(ada()).userId, 'new phone');
    await bob2.messenger.sendText(self(ada()).userId, 'it is really me');
    await vi.waitFor(async () => expect(await firstValueFrom(ada().messenger.notices$)).toEqual([expect.objectContaining({ kind: 'identity-changed', userId: bobId })]));
    // Held and acked: the server has nothing left to redeliver after the reload.
    await vi.waitFor(() => expect(server.queued(self(ada()).userId, 1)).toEqual([]));
    expect(await texts(ada(), bobId)).toEqual([]);

    await reload();
    await ada().messenger.acceptIdentity(bobId);
    await vi.waitFor(async () => expect(await texts(ada(), bobId)).toEqual(['new phone', 'it is really me']));
  });

  it(`holds at most ${MAX_QUARANTINED_PER_CONTACT} messages of one contact: the oldest go, with a notice saying how many`, async () => {
    const { ada, bob2, bobId, server } = await identityChange();
    const sent = Array.from({ length: MAX_QUARANTINED_PER_CONTACT + 3 }, (_, i) => `message ${i + 1}`);
    for (const body of sent) await bob2.messenger.sendText(self(ada()).userId, body);
    await vi.waitFor(() => expect(server.queued(self(ada()).userId, 1)).toEqual([]), { timeout: 10_000 });
    await vi.waitFor(async () =>
      expect((await firstValueFrom(ada().messenger.notices$)).find((n) => n.kind === 'held-messages-dropped')).toMatchObject({ userId: bobId, count: 3 }),
    );
    expect(await ada().history.listQuarantined()).toHaveLength(MAX_QUARANTINED_PER_CONTACT);

    await ada().messenger.acceptIdentity(bobId);
    await vi.waitFor(async () => expect(await texts(ada(), bobId)).toEqual(sent.slice(3)), { timeout: 10_000 });
    expect(await ada().history.listQuarantined()).toEqual([]);
    // The warning and the dropped-messages notice go with the decision (bob's new device stays).
    expect((await firstValueFrom(ada().messenger.notices$)).map((n) => n.kind)).toEqual(['new-device']);
  }, 30_000);

  it(`holds at most ${MAX_QUARANTINED} messages over all contacts, dropping the oldest first`, () => {
    const frame = (userId: string, n: number): DeliverFrame => ({ t: 'deliver', id: `${userId}-${n}`, from: { userId, deviceId: 1 }, type: 3, ciphertext: 'AA==' }) as DeliverFrame;
    const contacts = Math.ceil(MAX_QUARANTINED / MAX_QUARANTINED_PER_CONTACT) + 1;
    const frames = Array.from({ length: contacts }, (_, c) => Array.from({ length: MAX_QUARANTINED_PER_CONTACT }, (_, n) => frame(`user${c}`, n))).flat();
    const { kept, dropped } = boundQuarantine(frames);
    expect(kept).toHaveLength(MAX_QUARANTINED);
    expect(dropped).toEqual(frames.slice(0, frames.length - MAX_QUARANTINED));
    expect(kept.at(-1)).toBe(frames.at(-1));
  });
});
