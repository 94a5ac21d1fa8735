import { DELETE_FOR_EVERYONE_LIMIT_MS, type MessageActionContent } from '@parley/contracts';
import { firstValueFrom } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HistoryMessage } from './messenger-api.js';
import { FakeParleyServer, linkNewDevice, registerDevice, RunningDevices, type TestDevice } from './testing/index.js';

const running = new RunningDevices();
afterEach(() => running.stop());

const userId = (device: TestDevice) => device.setup.credentials.userId;
const history = (device: TestDevice, conversationId: string) => firstValueFrom(device.messenger.history$(conversationId));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a person sees of a message: its text (or the tombstone), "edited", its quote and its reactions. */
function shown(message: HistoryMessage): string {
  const text = message.deletedAt !== undefined ? '[deleted]' : message.body;
  const quote = message.quote ? ` (re: ${message.quote.excerpt})` : '';
  const edited = message.editedAt !== undefined ? ' (edited)' : '';
  const reactions = Object.values(message.reactions ?? {})
    .map((r) => r.emoji)
    .sort()
    .join('');
  return `${text}${quote}${edited}${reactions ? ` ${reactions}` : ''}`;
}

async function expectShown(device: TestDevice, conversationId: string, expected: string[]) {
  await vi.waitFor(async () => expect((await history(device, conversationId)).map(shown)).toEqual(expected), { timeout: 5_000 });
}

/** Ada (with a linked second device), Bob and Cat; Ada and Bob have talked. */
async function threePeople(server = new FakeParleyServer()) {
  const ada = await registerDevice(server, 'ada');
  const bob = await registerDevice(server, 'bob');
  const cat = await registerDevice(server, 'cat');
  running.push(ada, bob, cat);
  const ada2 = await linkNewDevice(server, ada);
  running.push(ada2);
  await ada.messenger.findUser('bob');
  return { server, ada, ada2, bob, cat };
}

/** Sends content as `from` would if its client were changed to forge it (real Signal sessions, real server). */
const forge = (from: TestDevice, to: TestDevice, content: MessageActionContent) => from.messenger.sendContent(userId(to), content);

describe('message actions in a 1:1 chat', () => {
  it('a reply, reactions, an edit and a delete for everyone reach the other person and the sender’s other device, and stay in the history', async () => {
    const { ada, ada2, bob } = await threePeople();
    const coffee = await ada.messenger.sendText(userId(bob), 'coffee at 10?');
    await expectShown(bob, userId(ada), ['coffee at 10?']);
    const incoming = (await history(bob, userId(ada)))[0]!;

    const reply = await bob.messenger.messageActions().reply(userId(ada), 'yes!', incoming);
    expect(reply.quote).toEqual({ authorUserId: userId(ada), messageId: coffee.messageId, excerpt: 'coffee at 10?' });
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['coffee at 10?', 'yes! (re: coffee at 10?)']);

    await bob.messenger.messageActions().react(userId(ada), { authorUserId: userId(ada), messageId: coffee.messageId }, '👍');
    await ada2.messenger.messageActions().react(userId(bob), { authorUserId: userId(bob), messageId: reply.messageId }, '❤️');
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['coffee at 10? 👍', 'yes! (re: coffee at 10?) ❤️']);
    await expectShown(bob, userId(ada), ['coffee at 10? 👍', 'yes! (re: coffee at 10?) ❤️']);
    // One per person: a new reaction replaces the old one, an empty one takes it back.
    await sleep(2);
    await bob.messenger.messageActions().react(userId(ada), { authorUserId: userId(ada), messageId: coffee.messageId }, '😂');
    for (const device of [ada, ada2, bob]) await expectShown(device, device === bob ? userId(ada) : userId(bob), ['coffee at 10? 😂', 'yes! (re: coffee at 10?) ❤️']);
    await sleep(2);
    await bob.messenger.messageActions().react(userId(ada), { authorUserId: userId(ada), messageId: coffee.messageId }, '');
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['coffee at 10?', 'yes! (re: coffee at 10?) ❤️']);
    const reactedBy = (await history(ada, userId(bob)))[1]!.reactions!;
    expect(Object.keys(reactedBy)).toEqual([userId(ada)]);

    await ada.messenger.messageActions().edit(userId(bob), coffee.messageId, 'coffee at 11?');
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['coffee at 11? (edited)', 'yes! (re: coffee at 10?) ❤️']);
    await expectShown(bob, userId(ada), ['coffee at 11? (edited)', 'yes! (re: coffee at 10?) ❤️']);

    await ada.messenger.messageActions().deleteForEveryone(userId(bob), coffee.messageId);
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['[deleted]', 'yes! (re: coffee at 10?) ❤️']);
    await expectShown(bob, userId(ada), ['[deleted]', 'yes! (re: coffee at 10?) ❤️']);
    // Gone from the store, not only from the screen: a reload shows the tombstone.
    const kept = await bob.history.getMessage(userId(ada), coffee.messageId);
    expect(kept).toMatchObject({ body: '', deletedAt: expect.any(Number) });
    expect(JSON.stringify(kept)).not.toContain('coffee at 1');
    // A deleted message is no longer edited or reacted to.
    await expect(ada.messenger.messageActions().edit(userId(bob), coffee.messageId, 'again')).resolves.toBeUndefined();
    await expectShown(bob, userId(ada), ['[deleted]', 'yes! (re: coffee at 10?) ❤️']);
  });

  it('delete for me hides a message on every device of this account, and the other person keeps it', async () => {
    const { ada, ada2, bob } = await threePeople();
    await bob.messenger.findUser('ada');
    const oops = await bob.messenger.sendText(userId(ada), 'spam');
    await bob.messenger.sendText(userId(ada), 'hello');
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['spam', 'hello']);
    await ada.messenger.messageActions().deleteForMe(userId(bob), { authorUserId: userId(bob), messageId: oops.messageId });
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['hello']);
    await expectShown(bob, userId(ada), ['spam', 'hello']);
    const summary = (await firstValueFrom(ada2.messenger.conversations$)).find((c) => c.conversationId === userId(bob))!;
    expect(summary.unread).toBe(1);
  });

  it('ignores an edit, a deletion or a reaction forged by someone else', async () => {
    const { ada, ada2, bob, cat } = await threePeople();
    const coffee = await ada.messenger.sendText(userId(bob), 'coffee at 10?');
    await expectShown(bob, userId(ada), ['coffee at 10?']);
    const target = { authorUserId: userId(ada), messageId: coffee.messageId };
    const now = Date.now();
    // Bob, in the conversation, tries to put words in Ada's mouth and to take her message back.
    await forge(bob, ada, { type: 'edit', conversationId: userId(ada), target, sentAt: now, body: 'I owe Bob 100€' });
    await forge(bob, ada, { type: 'delete', conversationId: userId(ada), target, sentAt: now, for: 'everyone' });
    await forge(bob, ada, { type: 'delete', conversationId: userId(ada), target, sentAt: now, for: 'me' });
    // Cat, outside it, tries the same on Bob's copy, and reacts to it.
    await cat.messenger.findUser('bob');
    await forge(cat, bob, { type: 'edit', conversationId: userId(bob), target, sentAt: now, body: 'forged by cat' });
    await forge(cat, bob, { type: 'delete', conversationId: userId(bob), target, sentAt: now, for: 'everyone' });
    await forge(cat, bob, { type: 'reaction', conversationId: userId(bob), target, sentAt: now, emoji: '💩' });
    // A later honest action by Ada arrives after the forged ones (per-sender order), and is applied.
    await ada.messenger.messageActions().react(userId(bob), target, '☕');
    await expectShown(bob, userId(ada), ['coffee at 10? ☕']);
    await vi.waitFor(async () => expect(bob.history.getMessage(userId(ada), coffee.messageId)).resolves.toMatchObject({ reactions: { [userId(ada)]: { emoji: '☕' } } }));
    for (const device of [ada, ada2]) await expectShown(device, userId(bob), ['coffee at 10? ☕']);
    expect((await history(bob, userId(cat))).length).toBe(0);
  });

  it('refuses a delete for everyone that the server took after the time limit, and the sender no longer offers it', async () => {
    let ahead = 0;
    const { ada, bob } = await threePeople(new FakeParleyServer(() => Date.now() + ahead));
    const coffee = await ada.messenger.sendText(userId(bob), 'coffee at 10?');
    await expectShown(bob, userId(ada), ['coffee at 10?']);
    expect(ada.messenger.messageActions().canDeleteForEveryone(coffee)).toBe(true);
    expect(ada.messenger.messageActions().canDeleteForEveryone({ ...coffee, sentAt: Date.now() - DELETE_FOR_EVERYONE_LIMIT_MS - 1 })).toBe(false);
    // The server's clock says three days went by (Ada's client checks its own clock, which a changed client could lie about).
    ahead = 3 * 24 * 3_600_000;
    await ada.messenger.messageActions().deleteForEveryone(userId(bob), coffee.messageId);
    // What Ada sends next arrives after the deletion (per-sender order): by then Bob has refused it.
    await ada.messenger.sendText(userId(bob), 'never mind');
    await expectShown(bob, userId(ada), ['coffee at 10?', 'never mind']);
  });
});

describe('message actions in a group chat', () => {
  it('replies, reactions, edits and deletions reach every member and the sender’s other device; a non-member or another member cannot forge them', async () => {
    const { ada, ada2, bob, cat, server } = await threePeople();
    const dan = await registerDevice(server, 'dan');
    running.push(dan);
    const { conversationId: groupId } = await ada.messenger.createGroup('Climbers', ['bob', 'cat']);
    for (const device of [bob, cat, ada2]) await vi.waitFor(async () => expect((await device.messenger.group(groupId))?.members).toHaveLength(3), { timeout: 5_000 });
    const plan = await ada.messenger.sendText(groupId, 'Saturday at the crag?');
    for (const device of [bob, cat, ada2]) await expectShown(device, groupId, ['Saturday at the crag?']);
    const target = { authorUserId: userId(ada), messageId: plan.messageId };

    const incoming = (await history(bob, groupId))[0]!;
    await bob.messenger.messageActions().reply(groupId, 'in!', incoming);
    await cat.messenger.messageActions().react(groupId, target, '🧗');
    await bob.messenger.messageActions().react(groupId, target, '🧗');
    await ada.messenger.messageActions().edit(groupId, plan.messageId, 'Sunday at the crag?');
    const everyone = ['Sunday at the crag? (edited) 🧗🧗', 'in! (re: Saturday at the crag?)'];
    for (const device of [ada, ada2, bob, cat]) await expectShown(device, groupId, everyone);

    // Bob, a member, cannot edit or delete Ada's message; Dan, not a member, cannot react to it.
    const now = Date.now();
    for (const to of [ada, cat]) {
      await forge(bob, to, { type: 'edit', conversationId: groupId, target, sentAt: now, body: 'cancelled' });
      await forge(bob, to, { type: 'delete', conversationId: groupId, target, sentAt: now, for: 'everyone' });
      await forge(dan, to, { type: 'reaction', conversationId: groupId, target, sentAt: now, emoji: '💩' });
    }
    await ada.messenger.messageActions().deleteForEveryone(groupId, plan.messageId);
    const after = ['[deleted]', 'in! (re: Saturday at the crag?)'];
    for (const device of [ada, ada2, bob, cat]) await expectShown(device, groupId, after);
    // The forged ones came before Ada's deletion and changed nothing: the reactions were there until it.
    const catsCopy = await cat.history.getMessage(userId(ada), plan.messageId);
    expect(catsCopy).toMatchObject({ body: '', deletedAt: expect.any(Number) });
  });
});
