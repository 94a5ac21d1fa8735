// @vitest-environment happy-dom
import { reactTestRoot, typeInto } from '@parley/bus-react/testing';
import { DELETE_FOR_EVERYONE_LIMIT_MS } from '@parley/contracts';
import { EventBus } from '@parley/event-bus';
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
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
const byLabel = (name: string) => dom.container.querySelector<HTMLElement>(`[aria-label="${name}"]`);
const buttonNamed = (name: string) => [...dom.container.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === name || b.getAttribute('aria-label') === name);
const menuItems = () => [...dom.container.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')].map((item) => item.textContent);
const menuItem = (name: string) => [...dom.container.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')].find((item) => item.textContent === name)!;
const bubbles = () => [...dom.container.querySelectorAll<HTMLLIElement>('[data-testid="message"]')];
const bubble = (text: string) => bubbles().find((b) => b.textContent?.includes(text))!;
const composer = () => dom.container.querySelector<HTMLTextAreaElement>('[data-testid="composer"]')!;

function press(element: Element, key: string, init: KeyboardEventInit = {}) {
  act(() => {
    element.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, ...init }));
  });
}

function click(element: HTMLElement) {
  act(() => element.click());
}

/** The actions menu of a message, opened from the keyboard: focus the message, press Enter. */
function openMenu(text: string) {
  const target = bubble(text);
  act(() => target.focus());
  press(target, 'Enter');
}

async function chatWithAda(locale = 'en-US') {
  const messenger = new FakeMessenger();
  messenger.addUser(ada);
  messenger.receive(ada.userId, 'coffee at 10?', 'm-ada');
  act(() => dom.root.render(<ChatApp bus={new EventBus()} remote={{ ...remote, locale }} messenger={messenger} />));
  await flush();
  click(dom.container.querySelector<HTMLButtonElement>('[data-testid="conversation-item"]')!);
  await flush();
  return messenger;
}

async function send(text: string) {
  typeInto(composer(), text);
  press(composer(), 'Enter');
  await flush();
}

describe('message actions', () => {
  it('opens a message’s menu from the keyboard; Edit only for this user’s own messages; arrows move between messages', async () => {
    await chatWithAda();
    await send('yes');
    openMenu('coffee at 10?');
    expect(menuItems()).toEqual(['Reply', 'React', 'Delete']);
    expect(document.activeElement?.textContent).toBe('Reply');
    press(document.activeElement!, 'Escape');
    expect(byLabel('Message actions')?.getAttribute('aria-expanded')).toBe('false');
    // One message is in the tab order; arrows move the focus.
    press(bubble('coffee at 10?'), 'ArrowDown');
    expect(document.activeElement).toBe(bubble('yes'));
    expect(bubbles().map((b) => b.tabIndex)).toEqual([-1, 0]);
    press(bubble('yes'), 'Enter');
    expect(menuItems()).toEqual(['Reply', 'React', 'Edit', 'Delete']);
  });

  it('replies with a quote above the bubble; the quote jumps to the original; Escape drops a reply being written', async () => {
    const messenger = await chatWithAda();
    openMenu('coffee at 10?');
    click(menuItem('Reply'));
    expect(dom.container.querySelector('[data-testid="reply-preview"]')?.textContent).toContain('Replying to Ada Lovelace');
    press(composer(), 'Escape');
    expect(dom.container.querySelector('[data-testid="reply-preview"]')).toBeNull();
    openMenu('coffee at 10?');
    click(menuItem('Reply'));
    await send('yes!');
    expect(messenger.messageActionLog).toEqual(['reply yes! to m-ada']);
    expect(dom.container.querySelector('[data-testid="reply-preview"]')).toBeNull();
    const quote = byLabel('Quoted message from Ada Lovelace: coffee at 10?. Go to it')!;
    expect(bubble('yes!').contains(quote)).toBe(true);
    click(quote);
    expect(document.activeElement).toBe(bubble('coffee at 10?'));
    expect(bubble('coffee at 10?').hasAttribute('data-highlighted')).toBe(true);
  });

  it('reacts from a picker; reactions show under the bubble with counts and who reacted; pressing one’s own takes it back', async () => {
    const messenger = await chatWithAda();
    openMenu('coffee at 10?');
    click(menuItem('React'));
    const picker = dom.container.querySelector('[data-testid="reaction-picker"]')!;
    expect([...picker.querySelectorAll('[role="menuitemradio"]')].map((b) => b.getAttribute('aria-label'))).toEqual([
      'React with 👍',
      'React with ❤️',
      'React with 😂',
      'React with 😮',
      'React with 😢',
      'React with 🙏',
    ]);
    expect(document.activeElement?.getAttribute('aria-label')).toBe('React with 👍');
    press(document.activeElement!, 'ArrowRight');
    expect(document.activeElement?.getAttribute('aria-label')).toBe('React with ❤️');
    click(buttonNamed('React with 👍')!);
    await flush();
    expect(messenger.messageActionLog).toEqual(['react m-ada 👍']);
    expect(dom.container.querySelector('[data-testid="reaction-picker"]')).toBeNull();
    act(() => messenger.reactAs(ada.userId, { authorUserId: ada.userId, messageId: 'm-ada' }, '👍'));
    const chip = bubble('coffee at 10?').querySelector<HTMLButtonElement>('[data-testid="reaction"]')!;
    expect(chip.getAttribute('aria-label')).toBe('👍 2: You, Ada Lovelace');
    expect(chip.title).toBe('You, Ada Lovelace');
    expect(chip.textContent).toBe('👍2');
    expect(chip.getAttribute('aria-pressed')).toBe('true');
    click(chip);
    await flush();
    expect(messenger.messageActionLog.at(-1)).toBe('react m-ada ');
    expect(bubble('coffee at 10?').querySelector('[data-testid="reaction"]')!.getAttribute('aria-label')).toBe('👍 1: Ada Lovelace');
  });

  it('edits this user’s message in the composer’s place: Escape cancels and keeps the draft, Enter saves and the bubble says edited', async () => {
    const messenger = await chatWithAda();
    await send('see you at 11');
    typeInto(composer(), 'half-written');
    openMenu('see you at 11');
    click(menuItem('Edit'));
    const editor = () => dom.container.querySelector<HTMLTextAreaElement>('[data-testid="edit-composer"]');
    expect(editor()?.value).toBe('see you at 11');
    expect(document.activeElement).toBe(editor());
    press(editor()!, 'Escape');
    expect(editor()).toBeNull();
    expect(composer().value).toBe('half-written');
    openMenu('see you at 11');
    click(menuItem('Edit'));
    typeInto(editor()!, 'see you at 12');
    press(editor()!, 'Enter');
    await flush();
    expect(messenger.messageActionLog).toEqual(['edit out-1 see you at 12']);
    expect(bubble('see you at 12').querySelector('[data-testid="message-edited"]')?.textContent).toBe('edited');
  });

  it('deletes for everyone (a tombstone) within the limit, for me otherwise; the dialog keeps the focus and Escape cancels', async () => {
    const messenger = await chatWithAda();
    await send('wrong chat');
    openMenu('wrong chat');
    click(menuItem('Delete'));
    const dialog = () => dom.container.querySelector<HTMLElement>('[role="dialog"]');
    expect(dialog()?.getAttribute('aria-modal')).toBe('true');
    expect([...dialog()!.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Delete for me', 'Delete for everyone', 'Cancel']);
    expect(document.activeElement?.textContent).toBe('Delete for me');
    press(document.activeElement!, 'Tab', { shiftKey: true });
    expect(document.activeElement?.textContent).toBe('Cancel');
    press(document.activeElement!, 'Escape');
    expect(dialog()).toBeNull();
    openMenu('wrong chat');
    click(menuItem('Delete'));
    click(buttonNamed('Delete for everyone')!);
    await flush();
    expect(messenger.messageActionLog).toEqual(['delete for everyone out-1']);
    expect(bubble('This message was deleted').querySelector('[data-testid="message-deleted"]')).not.toBeNull();
    expect(dom.container.querySelector('[data-testid="conversation-preview"]')?.textContent).toBe('You: This message was deleted');
    // A tombstone can only be deleted for me.
    openMenu('This message was deleted');
    expect(menuItems()).toEqual(['Delete']);
    press(document.activeElement!, 'Escape');

    // Someone else's message, and this user's own after the limit: for me only.
    openMenu('coffee at 10?');
    click(menuItem('Delete'));
    expect([...dialog()!.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Delete for me', 'Cancel']);
    click(buttonNamed('Delete for me')!);
    await flush();
    expect(bubbles().some((b) => b.textContent?.includes('coffee at 10?'))).toBe(false);
    await send('old news');
    act(() => messenger.advance(DELETE_FOR_EVERYONE_LIMIT_MS + 1));
    openMenu('old news');
    click(menuItem('Delete'));
    expect([...dialog()!.querySelectorAll('button')].map((b) => b.textContent)).toEqual(['Delete for me', 'Cancel']);
    expect(dialog()!.textContent).toContain('about two days');
  });

  it('speaks Russian', async () => {
    const messenger = await chatWithAda('ru-RU');
    await send('не туда');
    openMenu('не туда');
    expect(menuItems()).toEqual(['Ответить', 'Реакция', 'Изменить', 'Удалить']);
    click(menuItem('Удалить'));
    expect([...dom.container.querySelectorAll('[role="dialog"] button')].map((b) => b.textContent)).toEqual(['Удалить у меня', 'Удалить у всех', 'Отмена']);
    click(buttonNamed('Удалить у всех')!);
    await flush();
    expect(dom.container.textContent).toContain('Это сообщение удалено');
    act(() => messenger.reactAs(ada.userId, { authorUserId: ada.userId, messageId: 'm-ada' }, '❤️'));
    expect(bubble('coffee at 10?').querySelector('[data-testid="reaction"]')!.getAttribute('aria-label')).toBe('❤️ 1: Ada Lovelace');
  });
});
