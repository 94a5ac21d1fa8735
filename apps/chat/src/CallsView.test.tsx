// @vitest-environment happy-dom
import type { CallEntry } from '@parley/contracts';
import { EventBus } from '@parley/event-bus';
import { reactTestRoot } from '@parley/bus-react/testing';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { ChatApp } from './ChatApp.js';
import { FakeMessenger } from './testing/fake-messenger.js';
import { loadOpenConversationFirst, remoteIn, ADA as ada } from './testing/chat-test-setup.js';

loadOpenConversationFirst();

const remote = remoteIn('en-US');
const dom = reactTestRoot();

const flush = () =>
  act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });

function render(bus: EventBus, messenger: FakeMessenger, locale = 'en-US') {
  act(() => dom.root.render(<ChatApp bus={bus} remote={{ ...remote, locale }} messenger={messenger} />));
}

/** A button by its accessible name (its aria-label, else its text). */
const button = (name: string | RegExp, within: ParentNode = dom.container) =>
  [...within.querySelectorAll('button')].find((b) => {
    const label = b.getAttribute('aria-label') ?? b.textContent ?? '';
    return typeof name === 'string' ? label === name : name.test(label);
  }) as HTMLButtonElement | undefined;
const entries = () => [...dom.container.querySelectorAll('[data-testid="call-history-entry"]')];
const rows = () => entries().map((li) => `${li.querySelector('[data-testid="call-history-name"]')!.textContent} | ${li.querySelector('[data-testid="call-history-outcome"]')!.textContent}${li.querySelector('[data-testid="call-duration"]') ? ` | ${li.querySelector('[data-testid="call-duration"]')!.textContent}` : ''}`);

const now = Date.now();
const peer = { userId: 'u-ada', displayName: 'Ada Lovelace' };
const calls: CallEntry[] = [
  { callId: 'c1', conversationId: 'u-ada', peer, direction: 'outgoing', media: 'video', outcome: 'hung-up', startedAt: now - 5_000, durationMs: 83_000 },
  { callId: 'c2', conversationId: 'u-ada', peer, direction: 'incoming', media: 'audio', outcome: 'missed', startedAt: now - 4_000, durationMs: null },
  { callId: 'c3', conversationId: 'u-ada', peer, direction: 'incoming', media: 'audio', outcome: 'answered-elsewhere', startedAt: now - 3_000, durationMs: 42_000 },
  { callId: 'c4', conversationId: 'g.1', peer: { userId: 'g.1', displayName: 'Climbers' }, direction: 'incoming', media: 'video', outcome: 'declined', startedAt: now - 2_000, durationMs: null, kind: 'group' },
  { callId: 'c5', conversationId: 'link:r', peer: { userId: 'link:r', displayName: 'Standup' }, direction: 'outgoing', media: 'video', outcome: 'hung-up', startedAt: now - 1_000, durationMs: 7_000, kind: 'link', linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA' },
];

function setUp() {
  const bus = new EventBus();
  const messenger = new FakeMessenger();
  messenger.addUser(ada);
  void messenger.createGroup('Climbers', ['ada']);
  messenger.receive('u-ada', 'call me');
  for (const call of calls) messenger.calls.receive(call);
  const published: { type: string; payload: unknown }[] = [];
  bus.on('call.requested').subscribe((payload) => published.push({ type: 'call.requested', payload }));
  bus.on('call.link-opened').subscribe((payload) => published.push({ type: 'call.link-opened', payload }));
  act(() => bus.set('call.available', true));
  render(bus, messenger);
  return { bus, messenger, published };
}

describe('the Calls view', () => {
  it('lists every call newest first with how it went and its duration; the missed call is marked', async () => {
    setUp();
    await flush();
    expect(button('Calls, 1 missed')).toBeDefined();
    act(() => button(/^Calls/)!.click());
    await flush();
    expect(dom.container.querySelector('.chat-app__title')!.textContent).toBe('Calls');
    expect(rows()).toEqual([
      'Standup (Call link) | Outgoing video call | 0:07',
      'Climbers (Group call) | You declined the video call',
      'Ada Lovelace | Voice call answered on another device | 0:42',
      'Ada Lovelace | Missed voice call',
      'Ada Lovelace | Outgoing video call | 1:23',
    ]);
    expect(entries().map((li) => li.getAttribute('data-missed'))).toEqual([null, null, null, 'true', null]);
  });

  it('calls back through the bus as the header does, voice or video as the call was; opens the group chat; joins the link again', async () => {
    const { published } = setUp();
    act(() => button(/^Calls/)!.click());
    await flush();
    const [link, group, , missed, outgoing] = entries();
    act(() => button('Call back (voice)', missed)!.click());
    act(() => button('Call back (video)', outgoing)!.click());
    act(() => button('Join the call “Standup”', link)!.click());
    expect(published).toEqual([
      { type: 'call.requested', payload: { conversationId: 'u-ada', peer, media: 'audio' } },
      { type: 'call.requested', payload: { conversationId: 'u-ada', peer, media: 'video' } },
      { type: 'call.link-opened', payload: { secret: 'AAAAAAAAAAAAAAAAAAAAAA' } },
    ]);
    // A group call has no call back (the group chat starts it), only its chat.
    expect(button(/^Call back/, group!)).toBeUndefined();
    act(() => button('Open the chat with Climbers', group)!.click());
    await flush();
    expect(dom.container.querySelector('[data-testid="conversation"][data-kind="group"]')!.getAttribute('aria-label')).toBe('Climbers');
  });

  it('the group’s calls show between its messages, from the same history', async () => {
    setUp();
    act(() => button(/^Calls/)!.click());
    await flush();
    act(() => button('Open the chat with Climbers')!.click());
    await flush();
    const lines = [...dom.container.querySelectorAll('[data-testid="conversation"][data-kind="group"] [data-testid="call-entry"]')];
    expect(lines.map((li) => li.getAttribute('data-outcome'))).toEqual(['declined']);
  });

  it('offers no call back while calls are unavailable', async () => {
    const { bus } = setUp();
    act(() => bus.set('call.available', false));
    act(() => button(/^Calls/)!.click());
    await flush();
    expect(button(/^Call back/)).toBeUndefined();
    expect(button(/^Join/)).toBeUndefined();
  });

  it('badges the Calls button and the conversation with missed calls until the Calls view is opened, and tells the other devices', async () => {
    const { messenger, bus } = setUp();
    await flush();
    const missedBadge = () => dom.container.querySelector('[data-testid="conversation-missed-calls"]');
    expect(missedBadge()!.getAttribute('aria-label')).toBe('1 missed call');
    expect(dom.container.querySelector('[data-testid="calls-missed-badge"]')!.textContent).toBe('1');
    act(() => button(/^Calls/)!.click());
    await flush();
    expect(button('Calls')!.getAttribute('aria-pressed')).toBe('true');
    expect(messenger.calls.seenUpTo).toBeGreaterThanOrEqual(now);
    act(() => button('Calls')!.click());
    expect(missedBadge()).toBeNull();
    expect(dom.container.querySelector('[data-testid="calls-missed-badge"]')).toBeNull();
    // A new missed call badges again.
    act(() => bus.publish('call.entry', { ...calls[1]!, callId: 'c6', startedAt: Date.now() + 60_000 }));
    await flush();
    expect(button('Calls, 1 missed')).toBeDefined();
  });

  it('says it in Russian', async () => {
    const { bus, messenger } = setUp();
    render(bus, messenger, 'ru-RU');
    await flush();
    act(() => button('Звонки, пропущенных: 1')!.click());
    await flush();
    expect(dom.container.querySelector('.chat-app__title')!.textContent).toBe('Звонки');
    expect(button('Перезвонить (аудио)')).toBeDefined();
    expect(rows()[3]).toBe('Ada Lovelace | Пропущенный аудиозвонок');
  });

  it('an empty history says where calls will show', async () => {
    const bus = new EventBus();
    const messenger = new FakeMessenger();
    render(bus, messenger);
    act(() => button('Calls')!.click());
    await flush();
    expect(dom.container.querySelector('[data-testid="call-history-empty"]')!.textContent).toContain('No calls yet');
  });
});
