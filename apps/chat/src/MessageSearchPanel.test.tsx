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
/** The input labelled `name`. */
const searchBox = (name: string) => document.getElementById([...dom.container.querySelectorAll('label')].find((l) => l.textContent === name)!.htmlFor) as HTMLInputElement;
const results = () => [...dom.container.querySelectorAll<HTMLButtonElement>('[data-testid="search-result"]')];
const status = () => dom.container.querySelector('.message-search__status')!.textContent;

async function chatWithHistory(locale = 'en-US') {
  const messenger = new FeatureFakeMessenger();
  messenger.addUser(ada);
  messenger.addUser(bob);
  messenger.receive(ada.userId, 'Lunch at the Café on Friday?', 'm-lunch');
  messenger.receive(bob.userId, 'Встреча в кафе в пятницу', 'm-vstrecha');
  for (let i = 0; i < 30; i++) messenger.receive(ada.userId, `filler ${i}`);
  await messenger.sendText(ada.userId, 'cafe sounds good');
  act(() => dom.root.render(<ChatApp bus={new EventBus()} remote={remote(locale)} messenger={messenger} />));
  await flush();
  return messenger;
}

async function search(name: string, query: string) {
  typeInto(searchBox(name), query);
  await flush();
}

describe('message search in the chat', () => {
  it('lists matches from every conversation with conversation, sender, date and the match highlighted', async () => {
    await chatWithHistory();
    await search('Search messages', 'caf');
    expect(status()).toBe('2 messages found');
    const [newest, older] = results();
    expect(newest!.querySelector('.message-search__conversation')!.textContent).toBe('Ada Lovelace');
    expect(newest!.querySelector('.message-search__sender')!.textContent).toBe('You: ');
    expect(older!.querySelector('.message-search__sender')!.textContent).toBe('Ada Lovelace: ');
    expect([...older!.querySelectorAll('mark')].map((m) => m.textContent)).toEqual(['Café']);
    expect(older!.querySelector('time')).not.toBeNull();
  });

  it('says when nothing matches, and Escape clears the search', async () => {
    await chatWithHistory();
    await search('Search messages', 'zebra');
    expect(status()).toBe('No messages contain “zebra”.');
    act(() => {
      searchBox('Search messages').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    });
    expect(searchBox('Search messages').value).toBe('');
    expect(results()).toEqual([]);
  });

  it('opens the conversation at the message a result points to, highlighted and focused', async () => {
    await chatWithHistory();
    await search('Search messages', 'lunch');
    act(() => results()[0]!.click());
    await flush();
    const found = dom.container.querySelector<HTMLElement>('[data-testid="message"][data-found]')!;
    expect(found.textContent).toContain('Lunch at the Café on Friday?');
    expect(found.dataset['messageKey']).toMatch(/:m-lunch$/);
    expect(document.activeElement).toBe(found);
  });

  it('"/" outside a text field moves the focus to the search; typed in the composer it is just a slash', async () => {
    await chatWithHistory();
    act(() => {
      document.body.dispatchEvent(new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true }));
    });
    expect(document.activeElement).toBe(searchBox('Search messages'));
    await search('Search messages', 'lunch');
    act(() => results()[0]!.click());
    await flush();
    const composer = dom.container.querySelector('textarea')!;
    composer.focus();
    const slash = new KeyboardEvent('keydown', { key: '/', bubbles: true, cancelable: true });
    act(() => {
      composer.dispatchEvent(slash);
    });
    expect(slash.defaultPrevented).toBe(false);
    expect(document.activeElement).toBe(composer);
  });

  it('searches Cyrillic without case, in Russian', async () => {
    await chatWithHistory('ru-RU');
    await search('Поиск сообщений', 'ВСТРЕЧА');
    expect(status()).toBe('Найдено: 1 сообщение');
    expect(results()[0]!.querySelector('mark')!.textContent).toBe('Встреча');
  });
});
