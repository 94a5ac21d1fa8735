import { ManualClock } from '@parley/clock/testing';
import { type DeliverFrame, TYPING_MAX_GROUP_MEMBERS, type TypingContent } from '@parley/contracts';
import { firstValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { ContactRecord } from '../history-store.js';
import { InMemoryGroupStore } from '../group-store.js';
import { ConversationTyping } from './conversation-typing.js';

const contact = (userId: string, extra: Partial<ContactRecord> = {}): ContactRecord => ({ userId, handle: userId, displayName: userId, identityKey: 'k', deviceIds: [1], ...extra });
const member = (userId: string) => ({ userId, handle: userId, displayName: userId });
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

async function setUp() {
  const clock = new ManualClock(9_000_000);
  const groups = new InMemoryGroupStore();
  const contacts = new Map([['ada', contact('ada')], ['eve', contact('eve', { pendingIdentityKey: 'new' })]]);
  const sent: { to: string; content: TypingContent }[] = [];
  const typing = new ConversationTyping({
    self: { userId: 'me', deviceId: 1 } as never,
    clock,
    groups,
    directory: { known: async (userId) => contacts.get(userId) },
    sendContent: async (to, content) => void sent.push({ to, content }),
    onFailure: () => {},
  });
  const group = (groupId: string, size: number) =>
    groups.putGroup({ groupId, name: groupId, members: ['me', ...Array.from({ length: size - 1 }, (_, i) => `m${i}`)].map(member), active: true, updatedAt: 0, distributionId: 'd', distributedTo: [] });
  const frame = (userId: string, serverTimestamp = clock.now()): DeliverFrame => ({ t: 'deliver', id: 'e1', from: { userId, deviceId: 1 }, ciphertext: 'AA==', serverTimestamp });
  return { clock, typing, sent, group, frame };
}

describe('ConversationTyping', () => {
  it('sends to the peer of a 1:1 chat, never to an unknown contact or one whose safety number changed', async () => {
    const { typing, sent } = await setUp();
    typing.draftChanged('ada', 'hi');
    typing.draftChanged('stranger', 'hi');
    typing.draftChanged('eve', 'hi');
    await flush();
    expect(sent).toEqual([{ to: 'ada', content: { type: 'typing', action: 'started', at: 9_000_000 } }]);
  });

  it(`sends to every other member of a group up to ${TYPING_MAX_GROUP_MEMBERS}, to nobody in a larger one`, async () => {
    const { typing, sent, group } = await setUp();
    await group('small', 3);
    await group('big', TYPING_MAX_GROUP_MEMBERS + 1);
    typing.draftChanged('small', 'hi');
    typing.draftChanged('big', 'hi');
    await flush();
    expect(sent.map((s) => s.to)).toEqual(['m0', 'm1']);
    expect(sent[0]!.content).toMatchObject({ action: 'started', groupId: 'small' });
  });

  it('shows a known peer and a member of a small group; ignores strangers, non-members and big groups', async () => {
    const { typing, group, frame } = await setUp();
    await group('small', 3);
    await group('big', TYPING_MAX_GROUP_MEMBERS + 1);
    const started = (groupId?: string): TypingContent => ({ type: 'typing', action: 'started', at: 0, ...(groupId ? { groupId } : {}) });
    expect(await typing.receive(frame('ada'), started())).toBeNull();
    await typing.receive(frame('stranger'), started());
    await typing.receive(frame('m0'), started('small'));
    await typing.receive(frame('ada'), started('small'));
    await typing.receive(frame('m0'), started('big'));
    await typing.receive(frame('me'), started());
    expect(await firstValueFrom(typing.typing$('ada'))).toEqual(['ada']);
    expect(await firstValueFrom(typing.typing$('stranger'))).toEqual([]);
    expect(await firstValueFrom(typing.typing$('small'))).toEqual(['m0']);
    expect(await firstValueFrom(typing.typing$('big'))).toEqual([]);
  });

  it('ignores an indicator the server queued long ago', async () => {
    const { clock, typing, frame } = await setUp();
    await typing.receive(frame('ada', clock.now() - 60_000), { type: 'typing', action: 'started', at: clock.now() });
    expect(await firstValueFrom(typing.typing$('ada'))).toEqual([]);
  });
});
