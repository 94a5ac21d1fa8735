import type { ConversationSummary, HistoryMessage, Messenger } from '@parley/messenger';
import { IDBFactory } from 'fake-indexeddb';
import { BehaviorSubject, firstValueFrom, skip, take, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { SettingsActions } from '../screens/SettingsPanel.js';
import { DeviceDatabase } from '../storage/device-database.js';
import { IndexedDbGroupStore } from '../storage/indexeddb-group-store.js';
import { IndexedDbHistoryStore } from '../storage/indexeddb-history-store.js';
import { earlyShell } from './early-shell.js';

const ada = { userId: 'u-ada', deviceId: 1, token: 'token', handle: 'ada', displayName: 'Ada' };

function message(conversationId: string, messageId: string, storedAt: number, extra: Partial<HistoryMessage> = {}): HistoryMessage {
  return {
    messageId,
    conversationId,
    direction: 'in',
    from: { userId: conversationId, deviceId: 1 },
    body: `text ${messageId}`,
    sentAt: storedAt,
    storedAt,
    read: false,
    ...extra,
  };
}

/** A device database with Bob (two messages, one read, one deleted for me), a group and Ada's own record. */
async function keptDevice() {
  const db = await DeviceDatabase.open(new IDBFactory());
  const history = new IndexedDbHistoryStore(db);
  await history.putContact({ userId: 'u-ada', handle: 'ada', displayName: 'Ada', deviceIds: [], identityKey: 'k0' });
  await history.putContact({ userId: 'u-bob', handle: 'bob', displayName: 'Bob', deviceIds: [1], identityKey: 'k1' });
  await history.putMessage(message('u-bob', 'm1', 1_000, { read: true }));
  await history.putMessage(message('u-bob', 'm2', 2_000));
  await history.putMessage(message('u-bob', 'm3', 3_000, { hidden: true }));
  await new IndexedDbGroupStore(db).putGroup({
    groupId: 'g.1',
    name: 'Team',
    members: [{ userId: 'u-ada', handle: 'ada', displayName: 'Ada' }],
    active: true,
    updatedAt: 500,
    distributionId: 'd',
    distributedTo: [],
  });
  await history.putNotices([{ kind: 'new-device', userId: 'u-bob', deviceId: 2, at: 1 }]);
  return db;
}

/** The device session's messenger, as far as these tests need it. */
function realMessenger() {
  const conversations = new BehaviorSubject<readonly ConversationSummary[]>([]);
  const sent: string[] = [];
  const messenger = {
    self: { userId: 'u-ada', deviceId: 1, handle: 'ada', displayName: 'Ada' },
    conversations$: conversations,
    sendText: async (conversationId: string, body: string) => {
      sent.push(`${conversationId}: ${body}`);
      return message(conversationId, 'sent', 9_000, { direction: 'out', body });
    },
  } as unknown as Messenger;
  return { messenger, conversations, sent };
}

const noSettings = {} as SettingsActions;

describe('the early shell', () => {
  it("shows this device's conversations, messages and notices from its stores, before the protocol is there", async () => {
    const early = earlyShell(await keptDevice(), ada);
    const list = await firstValueFrom(early.messenger.conversations$);
    expect(list.map((c) => [c.conversationId, c.peer.displayName, c.unread, c.lastMessage?.messageId ?? null, c.kind ?? 'direct'])).toEqual([
      ['u-bob', 'Bob', 1, 'm2', 'direct'],
      ['g.1', 'Team', 0, null, 'group'],
    ]);
    expect((await firstValueFrom(early.messenger.history$('u-bob'))).map((m) => m.messageId)).toEqual(['m1', 'm2']);
    expect(await firstValueFrom(early.messenger.notices$)).toEqual([{ kind: 'new-device', userId: 'u-bob', deviceId: 2, at: 1 }]);
    expect(early.session).toEqual({ userId: 'u-ada', displayName: 'Ada', temporary: false });
  });

  it('keeps what the user does meanwhile and hands it, and every list, to the device session once it runs', async () => {
    const early = earlyShell(await keptDevice(), ada);
    const lists = firstValueFrom(early.messenger.conversations$.pipe(take(2), toArray()));
    const sending = early.messenger.sendText('u-bob', 'sent before the session');
    let settled = false;
    void sending.then(() => (settled = true));
    // The list from the stores is out before the session runs (were the session first, it alone would show).
    await early.messenger.firstListDelivered;
    expect(settled).toBe(false);

    const real = realMessenger();
    const fromSession: ConversationSummary = { conversationId: 'u-carol', peer: { userId: 'u-carol', displayName: 'Carol', handle: 'carol' }, lastMessage: null, unread: 0 };
    real.conversations.next([fromSession]);
    early.sessionStarted({ messenger: real.messenger, settings: noSettings });

    expect((await sending).body).toBe('sent before the session');
    expect(real.sent).toEqual(['u-bob: sent before the session']);
    const [fromStores, afterHandOver] = await lists;
    expect(fromStores?.map((c) => c.conversationId)).toEqual(['u-bob', 'g.1']);
    expect(afterHandOver).toEqual([fromSession]);
    // A later subscriber is the session's directly, and follows it.
    const next = firstValueFrom(early.messenger.conversations$.pipe(skip(1)));
    real.conversations.next([]);
    expect(await next).toEqual([]);
  });

  it("lets the session's downloads start only once the list was delivered, or once no chat will show", async () => {
    // The longest wait well past the test's own time-out: only the list or "no chat" can release it here.
    const longerThanTheTest = 60_000;
    const early = earlyShell(await keptDevice(), ada, longerThanTheTest);
    let shown = false;
    void early.chatShown.then(() => (shown = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(shown).toBe(false);
    await firstValueFrom(early.messenger.conversations$);
    await early.chatShown;

    const withoutChat = earlyShell(await keptDevice(), ada, longerThanTheTest);
    withoutChat.noChat();
    await withoutChat.chatShown;
  });

  it('settings act once the session runs', async () => {
    const early = earlyShell(await keptDevice(), ada);
    const devices = early.settings.listDevices();
    early.sessionStarted({ messenger: realMessenger().messenger, settings: { ...noSettings, listDevices: async () => [{ deviceId: 1 }] } as unknown as SettingsActions });
    expect(await devices).toEqual([{ deviceId: 1 }]);
  });
});
