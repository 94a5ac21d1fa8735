import { systemClock } from '@parley/clock';
import type { Content, DeliverFrame, GroupUpdateContent, SendFrame } from '@parley/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { type AccountSetup, createAccount } from './account-setup.js';
import { ContactDirectory } from './contact-directory.js';
import { ConversationChanges } from './conversation-changes.js';
import { ConversationLog } from './conversation-log.js';
import { PairwiseFanOut } from './device-fan-out.js';
import { InMemoryHistoryStore } from './history-store.js';
import { IdentityQuarantine } from './identity-quarantine.js';
import { MessageReceiver, type ReceiveRoutes } from './message-receiver.js';
import { SessionStarter } from './session-starter.js';
import { selfOf } from './signal-sessions.js';
import { apiFor, FakeParleyServer, inMemoryStore, registerDevice, TEST_PREKEY_COUNTS, type TestDevice } from './testing/index.js';

const running: TestDevice[] = [];
afterEach(() => {
  for (const device of running.splice(0)) device.stop();
});

/**
 * Ada, a running device, and Bob, an account that never connects: what Ada sends him stays queued
 * on the server, and the test hands it to a receiver built from Bob's real units.
 */
async function adaWritesToBob(routes?: ReceiveRoutes) {
  const server = new FakeParleyServer();
  const ada = await registerDevice(server, 'ada');
  running.push(ada);
  const setup: AccountSetup = await createAccount({ api: apiFor(server), createStore: inMemoryStore, handle: 'bob', displayName: 'Bob', preKeyCounts: TEST_PREKEY_COUNTS });
  const self = selfOf(setup.credentials);
  const api = apiFor(server, setup.credentials.token);
  const { store } = setup;
  const history = new InMemoryHistoryStore();
  const changes = new ConversationChanges();
  const directory = new ContactDirectory({ self, api, store, history, changes, clock: systemClock });
  const log = new ConversationLog(history, self, changes, systemClock);
  const sent: SendFrame[] = [];
  const relay = { send: async (frame: SendFrame) => void sent.push(frame) };
  const fanOut = new PairwiseFanOut({ self, store, relay, directory, sessions: new SessionStarter({ self, api, store, directory, clock: systemClock }), clock: systemClock });
  const failures: unknown[] = [];
  let ids = 0;
  const receiver = new MessageReceiver({
    self,
    store,
    history,
    directory,
    quarantine: new IdentityQuarantine(history, directory, systemClock),
    log,
    changes,
    fanOut,
    clock: systemClock,
    newMessageId: () => `bob-${++ids}`,
    onFailure: (failure) => failures.push(failure),
    ...(routes ? { routes } : {}),
  });
  await ada.messenger.findUser('bob');
  const inbox = (): DeliverFrame[] => server.queued(self.userId, self.deviceId).map((envelope) => envelope.frame);
  return { ada, adaId: ada.setup.credentials.userId, bobId: self.userId, receiver, log, sent, inbox, failures };
}

describe('the message receiver', () => {
  it('keeps a text once, returns it for the bus, and sends a delivered receipt back', async () => {
    const { ada, adaId, bobId, receiver, log, sent, inbox } = await adaWritesToBob();
    const { messageId } = await ada.messenger.sendText(bobId, 'hello bob');
    const [frame] = inbox();
    expect(await receiver.decrypt(frame!)).toMatchObject({ type: 'text', body: 'hello bob' });
    // The same envelope again (a redelivery after a lost ack): nothing new.
    expect(await receiver.decrypt(frame!)).toBeNull();
    expect((await log.messages(adaId)).map((m) => [m.messageId, m.body, m.read])).toEqual([[messageId, 'hello bob', false]]);
    await expect.poll(() => sent.map((s) => s.to)).toEqual([adaId]);
  });

  it('marks texts read here and sends the peer a read receipt', async () => {
    const { ada, adaId, bobId, receiver, log, sent, inbox } = await adaWritesToBob();
    const { messageId } = await ada.messenger.sendText(bobId, 'read me');
    await receiver.decrypt(inbox()[0]!);
    await expect.poll(() => sent.length).toBe(1);
    await receiver.markRead(adaId, [messageId]);
    expect((await log.messages(adaId)).map((m) => m.read)).toEqual([true]);
    expect(sent.map((s) => s.to)).toEqual([adaId, adaId]);
    // Read already: no second receipt.
    await receiver.markRead(adaId, [messageId]);
    expect(sent).toHaveLength(2);
  });

  it('routes content by its type: a handler decides what goes on the bus, a type without one goes as it is', async () => {
    const handled: Content[] = [];
    const groupTexts: DeliverFrame[] = [];
    const { ada, bobId, receiver, inbox } = await adaWritesToBob({
      senderKeyMessage: async (frame) => void groupTexts.push(frame),
      content: {
        'group-update': async (_frame, content) => {
          handled.push(content);
          return null;
        },
      },
    });
    const update: GroupUpdateContent = { type: 'group-update', groupId: 'g.1', name: 'Climbers', members: [ada.setup.credentials.userId, bobId], updatedAt: 1 };
    await ada.messenger.sendContent(bobId, update);
    await ada.messenger.sendContent(bobId, { type: 'call-signaling', callId: 'c1', signal: { kind: 'offer' } });
    const [updateFrame, signalFrame] = inbox();
    expect(await receiver.decrypt(updateFrame!)).toBeNull();
    expect(handled).toEqual([update]);
    expect(await receiver.decrypt(signalFrame!)).toMatchObject({ type: 'call-signaling', callId: 'c1' });

    const groupText: DeliverFrame = { ...signalFrame!, id: 'e-7', type: 7, ciphertext: 'AAAA' };
    expect(await receiver.decrypt(groupText)).toBeNull();
    expect(groupTexts).toEqual([groupText]);
  });
});
