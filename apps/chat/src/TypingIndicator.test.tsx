// @vitest-environment happy-dom
import { EventBus } from '@parley/event-bus';
import { reactTestRoot, typeInto } from '@parley/bus-react/testing';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { ChatApp } from './ChatApp.js';
import { FeatureFakeMessenger } from './testing/feature-fake-messenger.js';
import { loadOpenConversationFirst, remoteIn, ADA as ada, BOB as bob } from './testing/chat-test-setup.js';

loadOpenConversationFirst();

const remote = remoteIn;
const dom = reactTestRoot();
const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
const status = () => dom.container.querySelector('[data-testid="conversation"] [role="status"][aria-live="polite"]');
const composer = () => dom.container.querySelector<HTMLTextAreaElement>('textarea')!;

async function openConversation(messenger: FeatureFakeMessenger, locale = 'en-US', conversationName = 'Ada Lovelace') {
  act(() => dom.root.render(<ChatApp bus={new EventBus()} remote={remote(locale)} messenger={messenger} />));
  await flush();
  const entry = [...dom.container.querySelectorAll<HTMLElement>('[data-testid="conversation-item"], nav button, nav a')].find((e) => e.textContent?.includes(conversationName));
  act(() => entry!.click());
  await flush();
}

describe('typing indicators in the chat', () => {
  it('shows "Ada is typing…" in a polite live region while the peer types, and nothing after', async () => {
    const messenger = new FeatureFakeMessenger();
    messenger.addUser(ada);
    messenger.receive(ada.userId, 'hello');
    await openConversation(messenger);
    expect(status()!.textContent).toBe('');
    act(() => messenger.setTyping(ada.userId, [ada.userId]));
    expect(status()!.textContent).toBe('Ada Lovelace is typing…');
    act(() => messenger.setTyping(ada.userId, []));
    expect(status()!.textContent).toBe('');
  });

  it('reports every draft change, and the emptied draft once the message is sent', async () => {
    const messenger = new FeatureFakeMessenger();
    messenger.addUser(ada);
    messenger.receive(ada.userId, 'hello');
    await openConversation(messenger);
    typeInto(composer(), 'Hi');
    typeInto(composer(), 'Hi!');
    act(() => composer().form!.requestSubmit());
    await flush();
    expect(messenger.drafts).toEqual(['u-ada: Hi', 'u-ada: Hi!', 'u-ada: ']);
    expect(messenger.sent).toEqual([{ conversationId: ada.userId, body: 'Hi!' }]);
  });

  it('in a group names one typist, counts several, in Russian too', async () => {
    const messenger = new FeatureFakeMessenger();
    messenger.addUser(ada);
    messenger.addUser(bob);
    const group = await messenger.createGroup('Climbers', ['ada', 'bob']);
    await openConversation(messenger, 'ru-RU', 'Climbers');
    act(() => messenger.setTyping(group.conversationId, [bob.userId]));
    expect(status()!.textContent).toBe('Bob печатает…');
    act(() => messenger.setTyping(group.conversationId, [bob.userId, ada.userId]));
    expect(status()!.textContent).toBe('2 человека печатают…');
  });
});
