// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { NotificationAvailability } from '../notifications/notification-surface.js';
import { NotificationsSettings, type NotificationPermissionPort } from './NotificationsSettings.js';

const dom = reactTestRoot();
const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
const button = (name: string) => [...dom.container.querySelectorAll('button')].find((b) => b.textContent === name) ?? null;
const state = () => dom.container.querySelector('[role="status"]')!.textContent;
const checkbox = (name: string) =>
  [...dom.container.querySelectorAll('label')].find((label) => label.textContent?.trim() === name)?.querySelector('input') ?? null;

/** A browser whose answer to the question is `answer`; counts the questions. */
function permission(initial: NotificationAvailability, answer: NotificationAvailability = 'granted') {
  let current = initial;
  const port = {
    asked: 0,
    availability: () => current,
    request: async () => {
      port.asked += 1;
      current = answer;
      return answer;
    },
  } satisfies NotificationPermissionPort & { asked: number };
  return port;
}

function memoryStorage(): Storage {
  const values = new Map<string, string>();
  return { getItem: (key: string) => values.get(key) ?? null, setItem: (key: string, value: string) => void values.set(key, value) } as Storage;
}

describe('Settings → Notifications', () => {
  it('asks the browser only when "Enable notifications" is clicked, then says they are on', async () => {
    const port = permission('default');
    act(() => dom.root.render(<NotificationsSettings locale="en-US" permission={port} storage={memoryStorage()} />));
    expect(dom.container.querySelector('h3')!.textContent).toBe('Notifications');
    expect(state()).toBe('Notifications are off.');
    expect(port.asked).toBe(0);
    act(() => button('Enable notifications')!.click());
    await flush();
    expect(port.asked).toBe(1);
    expect(state()).toBe('Notifications are on.');
    expect(button('Enable notifications')).toBeNull();
  });

  it('says when the browser blocks them or cannot show them, and offers no button then', () => {
    act(() => dom.root.render(<NotificationsSettings locale="en-US" permission={permission('denied')} storage={memoryStorage()} />));
    expect(state()).toMatch(/blocked by the browser/);
    expect(button('Enable notifications')).toBeNull();
    act(() => dom.root.render(<NotificationsSettings key="other" locale="ru-RU" permission={permission('unsupported')} storage={memoryStorage()} />));
    expect(dom.container.querySelector('h3')!.textContent).toBe('Уведомления');
    expect(state()).toMatch(/не может показывать/);
    expect(checkbox('Показывать текст сообщений')).toBeNull();
  });

  it('remembers "Show message text" on this device', () => {
    const storage = memoryStorage();
    act(() => dom.root.render(<NotificationsSettings locale="en-US" permission={permission('granted')} storage={storage} />));
    const showText = checkbox('Show message text')!;
    expect(showText.checked).toBe(true);
    act(() => showText.click());
    expect(showText.checked).toBe(false);
    expect(storage.getItem('parley.notifications.showText')).toBe('false');
    act(() => dom.root.render(<NotificationsSettings key="again" locale="en-US" permission={permission('granted')} storage={storage} />));
    expect(checkbox('Show message text')!.checked).toBe(false);
  });
});
