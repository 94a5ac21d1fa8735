// @vitest-environment happy-dom
import { EventBus } from '@parley/event-bus';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { ChatApp } from './ChatApp.js';
import { FakeMessenger } from './testing/fake-messenger.js';
import { reactTestRoot, typeInto } from '@parley/bus-react/testing';
import { loadOpenConversationFirst, remoteIn, ADA as ada, BOB as bob } from './testing/chat-test-setup.js';

loadOpenConversationFirst();


const remote = remoteIn('en-US');

const dom = reactTestRoot();

const flush = () => act(async () => {
  await new Promise((resolve) => setTimeout(resolve, 0));
});

function render(bus: EventBus, messenger: FakeMessenger, locale = 'en-US') {
  act(() => dom.root.render(<ChatApp bus={bus} remote={{ ...remote, locale }} messenger={messenger} />));
}

const button = (name: string) => [...dom.container.querySelectorAll('button')].find((b) => b.textContent === name || b.getAttribute('aria-label') === name);
const menuItem = (name: string) => [...dom.container.querySelectorAll('[role="menuitem"]')].find((b) => b.textContent === name) as HTMLButtonElement | undefined;
/** A button of the conversation list's header (its accessible name is its aria-label). */
const listHeaderButton = (name: string) => [...dom.container.querySelectorAll<HTMLButtonElement>('.chat-app__list-header button')].find((b) => b.getAttribute('aria-label') === name);

function press(element: HTMLElement, key: string, init: KeyboardEventInit = {}) {
  act(() => {
    element.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
  });
}

async function openAda(bus: EventBus, messenger: FakeMessenger) {
  messenger.addUser(ada);
  render(bus, messenger);
  typeInto(dom.container.querySelector('input')!, '@Ada');
  act(() => dom.container.querySelector('form')!.requestSubmit());
  await flush();
}

describe('ChatApp', () => {
  it('without a signed-in messenger shows a notice, no conversation', () => {
    act(() => dom.root.render(<ChatApp bus={new EventBus()} remote={remote} messenger={null} />));
    expect(dom.container.textContent).toContain('Sign in to Parley to chat.');
  });

  it('finds a user by handle and opens the conversation; unknown handles get a clear answer', async () => {
    const messenger = new FakeMessenger();
    await openAda(new EventBus(), messenger);
    expect(dom.container.querySelector('[data-testid="conversation"] h2')!.textContent).toContain('Ada Lovelace');
    expect(dom.container.textContent).toContain('No messages yet');
    typeInto(dom.container.querySelector('input')!, 'nobody');
    act(() => dom.container.querySelector('form')!.requestSubmit());
    await flush();
    expect(dom.container.querySelector('[data-testid="find-user-error"]')!.textContent).toBe('Nobody has that handle.');
  });

  it('shows call buttons only while call.available is true, and asks for a call with the peer', async () => {
    const bus = new EventBus();
    const messenger = new FakeMessenger();
    const requests: unknown[] = [];
    bus.on('call.requested').subscribe((event) => requests.push(event));
    await openAda(bus, messenger);
    expect(button('Voice call')).toBeUndefined();
    act(() => bus.set('call.available', true));
    act(() => button('Video call')!.click());
    expect(requests).toEqual([{ conversationId: 'u-ada', peer: { userId: 'u-ada', displayName: 'Ada Lovelace' }, media: 'video' }]);
    act(() => bus.set('call.state', { phase: 'outgoing', callId: 'c', conversationId: 'u-ada', media: 'video', peer: null }));
    expect(dom.container.querySelector('[data-testid="chat-in-call"]')).not.toBeNull();
    expect(button('Voice call')!.disabled).toBe(true);
  });

  it('shows the calls the call app reports as call log lines, with outcome and duration, in English and Russian', async () => {
    const bus = new EventBus();
    const messenger = new FakeMessenger();
    await openAda(bus, messenger);
    const peer = { userId: 'u-ada', displayName: 'Ada Lovelace' };
    const call = { conversationId: 'u-ada', peer, startedAt: Date.now() };
    act(() => {
      bus.publish('call.entry', { ...call, callId: 'c1', direction: 'outgoing', media: 'audio', outcome: 'hung-up', durationMs: 83_000 });
      bus.publish('call.entry', { ...call, callId: 'c2', direction: 'incoming', media: 'video', outcome: 'missed', durationMs: null });
      bus.publish('call.entry', { ...call, callId: 'c2', direction: 'incoming', media: 'video', outcome: 'missed', durationMs: null });
      bus.publish('call.entry', { ...call, callId: 'c3', direction: 'outgoing', media: 'audio', outcome: 'declined', durationMs: null });
      bus.publish('call.entry', { ...call, conversationId: 'u-other', callId: 'c4', direction: 'outgoing', media: 'audio', outcome: 'busy', durationMs: null });
    });
    const lines = () => [...dom.container.querySelectorAll('[data-testid="call-entry"]')].map((li) => li.querySelector('.call-entry__text')!.textContent + (li.querySelector('[data-testid="call-duration"]')?.textContent ?? ''));
    expect(lines()).toEqual(['Outgoing voice call1:23', 'Missed video call', 'Ada Lovelace declined the voice call']);
    expect(dom.container.querySelector('[data-testid="call-entry"][data-outcome="missed"]')!.className).toContain('call-entry--missed');
    render(bus, messenger, 'ru-RU');
    expect(lines()).toEqual(['Исходящий аудиозвонок1:23', 'Пропущенный видеозвонок', 'Ada Lovelace: аудиозвонок отклонён']);
  });

  it('keeps calls in the device history: after a reload a missed call is still the preview and in the conversation', async () => {
    const bus = new EventBus();
    const messenger = new FakeMessenger();
    messenger.addUser(ada);
    render(bus, messenger);
    act(() => messenger.receive('u-ada', 'call me'));
    const peer = { userId: 'u-ada', displayName: 'Ada Lovelace' };
    act(() => bus.publish('call.entry', { conversationId: 'u-ada', peer, startedAt: Date.now(), callId: 'c1', direction: 'incoming', media: 'audio', outcome: 'missed', durationMs: null }));
    await flush();
    expect(messenger.keptCalls.map((call) => call.callId)).toEqual(['c1']);

    // A reload: a new chat with a new (empty) call log, over the same device history and a new bus.
    act(() => dom.root.render(<div />));
    render(new EventBus(), messenger);
    await flush();
    const item = dom.container.querySelector('[data-testid="conversation-item"]')!;
    const preview = item.querySelector('[data-testid="conversation-preview"]')!;
    expect(preview.getAttribute('data-missed')).toBe('true');
    expect(preview.textContent).toContain('Missed voice call');
    act(() => (item as HTMLButtonElement).click());
    await flush();
    expect([...dom.container.querySelectorAll('[data-testid="call-entry"]')].map((li) => li.getAttribute('data-outcome'))).toEqual(['missed']);
  });

  it('sends on Enter, keeps Shift+Enter as a new line, and shows ticks as receipts arrive', async () => {
    const messenger = new FakeMessenger();
    await openAda(new EventBus(), messenger);
    const composer = dom.container.querySelector('textarea')!;
    typeInto(composer, 'line one');
    press(composer, 'Enter', { shiftKey: true });
    expect(messenger.sent).toEqual([]);
    typeInto(composer, 'line one\nline two');
    press(composer, 'Enter');
    await flush();
    expect(messenger.sent).toEqual([{ conversationId: 'u-ada', body: 'line one\nline two' }]);
    expect(composer.value).toBe('');
    const bubble = () => dom.container.querySelector('[data-direction="out"]')!;
    expect(bubble().querySelector('.bubble__body')!.textContent).toBe('line one\nline two');
    expect(bubble().getAttribute('data-delivery')).toBe('sent');
    act(() => messenger.deliver('out-1', 'delivered'));
    expect(bubble().querySelector('[data-testid="ticks"]')!.getAttribute('aria-label')).toBe('Delivered');
    act(() => messenger.deliver('out-1', 'read'));
    expect(bubble().getAttribute('data-delivery')).toBe('read');
  });

  it('a send refused for a full queue says whose device, in English and Russian, never the code', async () => {
    const messenger = new FakeMessenger();
    await openAda(new EventBus(), messenger);
    const sendRefused = async () => {
      messenger.failNextSend = { code: 'queue-full', message: 'a device of the recipient has too many undelivered messages', userId: ada.userId };
      const composer = dom.container.querySelector('textarea')!;
      typeInto(composer, 'are you there?');
      press(composer, 'Enter');
      await flush();
      return dom.container.querySelector('[role="alert"]')!.textContent;
    };
    expect(await sendRefused()).toBe('Not delivered: Ada Lovelace’s device has too many undelivered messages. Try again once it has been online.');
    expect(dom.container.querySelector('[data-direction="out"]')!.getAttribute('data-delivery')).toBe('failed');
    render(new EventBus(), messenger, 'ru-RU');
    await flush();
    expect(await sendRefused()).toBe(
      'Не доставлено: на устройстве собеседника (Ada Lovelace) слишком много недоставленных сообщений. Попробуйте снова, когда оно побывает в сети.',
    );
    expect(dom.container.textContent).not.toContain('queue');
  });

  it('lists conversations with preview and unread count, and marks messages read once opened', async () => {
    const messenger = new FakeMessenger();
    messenger.addUser(ada);
    render(new EventBus(), messenger);
    act(() => {
      messenger.receive('u-ada', 'first');
      messenger.receive('u-ada', 'second');
    });
    const item = dom.container.querySelector('[data-testid="conversation-item"]')!;
    expect(item.querySelector('[data-testid="conversation-preview"]')!.textContent).toBe('second');
    expect(item.querySelector('[data-testid="conversation-unread"]')!.getAttribute('aria-label')).toBe('2 unread messages');
    act(() => (item as HTMLButtonElement).click());
    await flush();
    expect(messenger.markedRead).toHaveLength(2);
    expect(dom.container.querySelector('[data-testid="conversation-unread"]')).toBeNull();
    expect([...dom.container.querySelectorAll('[data-testid="message"] .bubble__body')].map((b) => b.textContent)).toEqual(['first', 'second']);
  });

  it('warns when a contact’s identity changed until accepted; a new device is only a notice', async () => {
    const messenger = new FakeMessenger();
    await openAda(new EventBus(), messenger);
    act(() => messenger.notice({ kind: 'new-device', userId: 'u-ada', deviceId: 2, at: 1 }));
    expect(dom.container.querySelector('[data-testid="new-device"]')!.textContent).toContain('Ada Lovelace added a new device.');
    expect(dom.container.querySelector('[data-testid="identity-changed"]')).toBeNull();
    act(() => messenger.receive('u-ada', 'hello'));
    act(() => messenger.notice({ kind: 'identity-changed', userId: 'u-ada', at: 2 }));
    expect(dom.container.querySelector('[role="alert"]')!.textContent).toContain('safety number has changed');
    expect(dom.container.querySelector('[data-testid="conversation-identity-changed"]')!.getAttribute('aria-label')).toBe('Safety number changed');
    act(() => button('Accept')!.click());
    await flush();
    expect(messenger.accepted).toEqual(['u-ada']);
    expect(dom.container.querySelector('[data-testid="identity-changed"]')).toBeNull();
    expect(dom.container.querySelector('[data-testid="conversation-identity-changed"]')).toBeNull();
  });

  it('shows the safety number in groups of five, in the chosen language', async () => {
    const messenger = new FakeMessenger();
    await openAda(new EventBus(), messenger);
    act(() => button('Chat options')!.click());
    act(() => button('Safety number')!.click());
    await flush();
    const digits = dom.container.querySelector('[data-testid="safety-number-digits"]')!;
    expect(digits.querySelectorAll('span')).toHaveLength(12);
    act(() => button('Back')!.click());
    render(new EventBus(), messenger, 'ru-RU');
    act(() => button('Действия с чатом')!.click());
    expect(button('Код безопасности')).toBeDefined();
  });

  it('creates a group, shows its members and senders, adds and removes members, and asks for a group call', async () => {
    const bus = new EventBus();
    const messenger = new FakeMessenger();
        const cat = { userId: 'u-cat', handle: 'cat', displayName: 'Cat' };
    for (const user of [ada, bob, cat]) messenger.addUser(user);
    const requests: unknown[] = [];
    bus.on('call.group-requested').subscribe((event) => requests.push(event));
    render(bus, messenger);
    act(() => button('New group')!.click());
    typeInto(dom.container.querySelector<HTMLInputElement>('[data-testid="group-name"]')!, 'Climbers');
    typeInto(dom.container.querySelector<HTMLInputElement>('[data-testid="group-members"]')!, '@Ada, bob');
    act(() => dom.container.querySelector<HTMLFormElement>('[data-testid="new-group-form"]')!.requestSubmit());
    await flush();
    expect(messenger.groupActions).toEqual(['create Climbers: ada bob']);
    const view = () => dom.container.querySelector('[data-testid="conversation"]')!;
    expect(view().getAttribute('data-kind')).toBe('group');
    expect(view().querySelector('h2')!.textContent).toContain('Climbers');
    expect(view().querySelector('h2')!.textContent).toContain('3 members');
    expect([...dom.container.querySelectorAll('[data-testid="group-member"]')].map((m) => m.getAttribute('data-handle'))).toEqual(['me', 'ada', 'bob']);
    expect(dom.container.querySelector('[data-testid="conversation-item"]')!.getAttribute('data-kind')).toBe('group');

    act(() => messenger.receiveInGroup('g.1', 'u-ada', 'hello group'));
    expect(dom.container.querySelector('[data-testid="message-sender"]')!.textContent).toBe('Ada Lovelace');

    typeInto(dom.container.querySelector<HTMLInputElement>('[data-testid="add-member-handle"]')!, 'cat');
    act(() => button('Add')!.click());
    await flush();
    act(() => button('Remove Bob')!.click());
    await flush();
    expect(messenger.groupActions.slice(1)).toEqual(['add cat', 'remove u-bob']);
    expect([...dom.container.querySelectorAll('[data-testid="group-member"]')].map((m) => m.getAttribute('data-handle'))).toEqual(['me', 'ada', 'cat']);

    act(() => button('Start group call')!.click());
    expect(requests).toEqual([
      { groupId: 'g.1', name: 'Climbers', media: 'video', members: [{ userId: 'u-ada', displayName: 'Ada Lovelace' }, { userId: 'u-cat', displayName: 'Cat' }] },
    ]);
  });

  it('names the group controls in Russian', async () => {
    const messenger = new FakeMessenger();
    messenger.addUser(ada);
    render(new EventBus(), messenger, 'ru-RU');
    act(() => button('Новая группа')!.click());
    expect(dom.container.querySelector('[data-testid="new-group-form"]')!.textContent).toContain('Название группы');
    await act(async () => {
      await messenger.createGroup('Клуб', ['ada']);
    });
    await flush();
    act(() => (dom.container.querySelector('[data-testid="conversation-item"]') as HTMLButtonElement).click());
    expect(button('Начать групповой звонок')).toBeDefined();
    expect(dom.container.querySelector('[data-testid="conversation"]')!.textContent).toContain('Участников: 2');
  });

  it('offers Call links in the chat options and as the list header\'s button only while the call app says it can show them, and asks for them', async () => {
    const bus = new EventBus();
    const requests: unknown[] = [];
    bus.on('call.links-requested').subscribe((request) => requests.push(request));
    await openAda(bus, new FakeMessenger());
    act(() => bus.set('call.available', true));
    act(() => button('Chat options')!.click());
    expect(button('Safety number')).toBeDefined();
    expect(button('Call links')).toBeUndefined();
    press(dom.container.querySelector('[role="menu"]')!, 'Escape');
    act(() => bus.set('call.links-available', true));
    act(() => button('Chat options')!.click());
    act(() => menuItem('Call links')!.click());
    expect(requests).toEqual([{}]);
    // Back on the menu button: the call app's dialog returns the focus there when it closes.
    expect(document.activeElement).toBe(button('Chat options'));
    // The list's header: one icon button, in the tab order, that says it opens a dialog.
    const headerButton = listHeaderButton('Call links')!;
    expect(headerButton.getAttribute('aria-haspopup')).toBe('dialog');
    expect(headerButton.tabIndex).toBe(0);
    act(() => headerButton.click());
    expect(requests).toHaveLength(2);
    act(() => bus.set('call.links-available', false));
    expect(listHeaderButton('Call links')).toBeUndefined();
    render(bus, new FakeMessenger(), 'ru-RU');
    act(() => bus.set('call.links-available', true));
    expect(listHeaderButton('Ссылки на звонки')).toBeDefined();
  });

  it('on an older shell, whose bus throws on the call-links events, offers no Call links and still works', async () => {
    const bus = new EventBus();
    const knownState = bus.state.bind(bus);
    const olderShellState = ((type: Parameters<EventBus['state']>[0]) => {
      if (type === 'call.links-available') throw new Error(`EventBus: unknown event type "${type}"`);
      return knownState(type);
    }) as EventBus['state'];
    bus.state = olderShellState;
    await openAda(bus, new FakeMessenger());
    act(() => bus.set('call.available', true));
    expect(button('Voice call')).toBeDefined();
    expect(listHeaderButton('Call links')).toBeUndefined();
    act(() => button('Chat options')!.click());
    expect(button('Safety number')).toBeDefined();
    expect(button('Call links')).toBeUndefined();
  });
});
