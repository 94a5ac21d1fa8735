// @vitest-environment happy-dom
import { EventBus } from '@parley/event-bus';
import { reactTestRoot } from '@parley/bus-react/testing';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { ChatApp } from './ChatApp.js';
import { FeatureFakeMessenger } from './testing/feature-fake-messenger.js';
import { loadOpenConversationFirst, remoteIn, ADA as ada, BOB as bob } from './testing/chat-test-setup.js';

loadOpenConversationFirst();

const remote = remoteIn('en-US');
const cat = { userId: 'u-cat', handle: 'cat', displayName: 'Cat' };
const dom = reactTestRoot();
const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
const byLabel = (name: string) => [...dom.container.querySelectorAll<HTMLButtonElement>('button')].filter((b) => b.getAttribute('aria-label') === name);
const names = (testId: string) => [...dom.container.querySelectorAll(`[data-testid="${testId}"] li`)].map((li) => li.querySelector('.message-info__name')!.textContent);

async function openGroupWithReceipts() {
  const messenger = new FeatureFakeMessenger();
  for (const user of [ada, bob, cat]) messenger.addUser(user);
  const { conversationId } = await messenger.createGroup('Climbers', ['ada', 'bob', 'cat']);
  const at = Date.UTC(2026, 11, 7, 9, 30);
  messenger.keep({
    messageId: 'm-1',
    conversationId,
    direction: 'out',
    from: { userId: 'me', deviceId: 1 },
    body: 'ropes at six',
    sentAt: at,
    storedAt: at,
    delivery: 'sent',
    memberDelivery: { [ada.userId]: 'read', [bob.userId]: 'delivered', [cat.userId]: 'sent' },
    memberReceipts: { [ada.userId]: { deliveredAt: at + 1_000, readAt: at + 60_000 }, [bob.userId]: { deliveredAt: at + 2_000 } },
  });
  messenger.receiveInGroup(conversationId, ada.userId, 'see you there');
  act(() => dom.root.render(<ChatApp bus={new EventBus()} remote={remote} messenger={messenger} />));
  await flush();
  const item = [...dom.container.querySelectorAll<HTMLElement>('[data-testid="conversation-item"]')].find((e) => e.textContent?.includes('Climbers'));
  act(() => item!.click());
  await flush();
  return messenger;
}

describe('Message info of a group message', () => {
  it('is offered on own group messages only, and lists who read it and who has it, with times', async () => {
    await openGroupWithReceipts();
    expect(byLabel('Message info')).toHaveLength(1);
    act(() => byLabel('Message info')[0]!.click());
    const dialog = dom.container.querySelector('[role="dialog"]')!;
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe('Message info');
    expect(names('read-by')).toEqual(['Ada Lovelace']);
    expect(names('delivered-to')).toEqual(['Bob']);
    expect(names('waiting-for')).toEqual(['Cat']);
    expect(dialog.querySelector('[data-testid="read-by"] time')!.getAttribute('dateTime')).toBe(new Date(Date.UTC(2026, 11, 7, 9, 31)).toISOString());
    expect(document.activeElement?.getAttribute('aria-label')).toBe('Close');
  });

  it('closes on Escape and gives the focus back to its button', async () => {
    await openGroupWithReceipts();
    const open = byLabel('Message info')[0]!;
    act(() => open.click());
    act(() => {
      document.activeElement!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    });
    expect(dom.container.querySelector('[role="dialog"]')).toBeNull();
    expect(document.activeElement).toBe(open);
  });
});
