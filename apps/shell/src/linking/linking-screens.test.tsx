// @vitest-environment happy-dom
import { act } from 'react';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { reactTestRoot } from '@parley/bus-react/testing';
import { messagesFor } from '../messages.js';
import { OnboardingScreen } from '../screens/OnboardingScreen.js';
import { type PendingLink, SettingsPanel } from '../screens/SettingsPanel.js';

// The QR encoder draws on a canvas the test DOM cannot paint: record what it was asked to draw.
const drawn = vi.hoisted(() => [] as string[]);
vi.mock('qrcode', () => ({ toCanvas: async (_canvas: unknown, text: string) => void drawn.push(text) }));

const dom = reactTestRoot();
const ORIGIN = 'http://localhost:4200';
const CODE = '0123456789abcdef-abcdefghijklmnop';
const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
const button = (name: string) => [...dom.container.querySelectorAll('button')].find((b) => b.textContent === name || b.getAttribute('aria-label') === name);
const radio = (name: string) => [...dom.container.querySelectorAll('label')].find((l) => l.textContent === name)!.querySelector('input')!;
const text = (role: string) => [...dom.container.querySelectorAll(`[role="${role}"]`)].map((e) => e.textContent);

beforeAll(() => (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(`${ORIGIN}/`));
beforeEach(() => void drawn.splice(0));

describe('Settings → Link a device: QR code and recent messages', () => {
  function render(locale: string, sendHistory: (deviceId: number, months: number) => Promise<number>) {
    let linked: (deviceId: number) => void = () => {};
    const actions = {
      listDevices: async () => [{ deviceId: 1, createdAt: 0, lastSeenAt: 0 }],
      removeDevice: async () => {},
      startLinking: async (): Promise<PendingLink> => ({ code: CODE, expiresAt: Date.now() + 60_000, linked: new Promise<number>((resolve) => (linked = resolve)), cancel: () => {} }),
      sendHistory,
      signOut: async () => {},
    };
    act(() => dom.root.render(<SettingsPanel t={messagesFor(locale)} locale={locale} onLocale={() => {}} account={{ handle: 'ada', displayName: 'Ada', deviceId: 1 }} actions={actions} onClose={() => {}} />));
    return (deviceId: number) => linked(deviceId);
  }

  it('shows the code as a named QR code holding only the code and this server, beside the typed code', async () => {
    render('en-US', async () => 0);
    await flush();
    act(() => button('Link a device')!.click());
    await flush();
    const qr = dom.container.querySelector('canvas[role="img"]')!;
    expect(qr.getAttribute('aria-label')).toBe('QR code to link a new browser');
    // The canvas's effect imports the encoder once the code is shown (Preact runs it as the act ends).
    await flush();
    expect(drawn).toEqual([`parley-link/1 ${CODE} ${ORIGIN}`]);
    expect(dom.container.querySelector('[data-testid="link-code"]')!.textContent).toBe(CODE);
  });

  it('asks whether to send recent messages; the months chosen go to the device that was linked', async () => {
    const sent: number[][] = [];
    const linked = render('en-US', async (deviceId, months) => (sent.push([deviceId, months]), 2));
    await flush();
    act(() => button('Link a device')!.click());
    await flush();
    expect(dom.container.querySelector('legend')?.textContent).toBe('Send recent messages to the new browser?');
    expect(radio('No').checked).toBe(true);
    act(() => radio('Last 3 months').click());
    await act(async () => linked(3));
    await flush();
    expect(sent).toEqual([[3, 3]]);
    expect(text('status')).toContain('Sent 2 recent messages to the new browser.');
  });

  it('sends nothing when the answer is "No", and says so in Russian too when sending fails', async () => {
    const sent: number[][] = [];
    let linked = render('en-US', async (deviceId, months) => (sent.push([deviceId, months]), 0));
    await flush();
    act(() => button('Link a device')!.click());
    await flush();
    await act(async () => linked(2));
    await flush();
    expect(sent).toEqual([]);

    linked = render('ru-RU', async () => Promise.reject(new Error('offline')));
    await flush();
    act(() => button('Подключить устройство')!.click());
    await flush();
    expect(dom.container.querySelector('canvas[role="img"]')!.getAttribute('aria-label')).toBe('QR-код для подключения нового браузера');
    act(() => radio('За последние 12 месяцев').click());
    await act(async () => linked(2));
    await flush();
    expect(text('alert')).toContain('Не удалось отправить недавние сообщения в новый браузер.');
  });
});

describe('Onboarding → Scan QR code', () => {
  function withCamera(getUserMedia: () => Promise<MediaStream>) {
    const calls: unknown[] = [];
    Object.defineProperty(navigator, 'mediaDevices', {
      configurable: true,
      value: { getUserMedia: (constraints: unknown) => (calls.push(constraints), getUserMedia()) },
    });
    return calls;
  }

  function render(locale = 'en-US') {
    const linked: string[] = [];
    const actions = { createAccount: async () => {}, linkThisBrowser: async (code: string) => void linked.push(code) };
    act(() => dom.root.render(<OnboardingScreen t={messagesFor(locale)} locale={locale} onLocale={() => {}} actions={actions} />));
    return linked;
  }

  it.each([
    ['NotAllowedError', 'Parley may not use the camera. Allow it in the browser, or type the code instead.'],
    ['NotFoundError', 'No camera was found. Type the code instead.'],
    ['NotReadableError', 'The camera could not be started. Type the code instead.'],
  ])('asks for the camera only from the click; %s is explained and the typed code still links', async (name, message) => {
    const calls = withCamera(async () => Promise.reject(new DOMException('no', name)));
    const linked = render();
    await flush();
    expect(calls).toEqual([]);
    act(() => button('Scan QR code')!.click());
    expect(calls).toHaveLength(1);
    await flush();
    await flush();
    expect(text('alert')).toEqual([message]);
    expect(button('Scan QR code')).toBeDefined();

    const field = dom.container.querySelector<HTMLInputElement>('input[autocomplete="one-time-code"]')!;
    act(() => {
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(field, CODE);
      field.dispatchEvent(new Event('input', { bubbles: true }));
    });
    act(() => button('Link this browser')!.click());
    await flush();
    expect(linked).toEqual([CODE]);
  });

  it('stops the camera when scanning is stopped, and offers the scan in Russian', async () => {
    const stopped: string[] = [];
    const stream = Object.assign(Object.create(MediaStream.prototype) as MediaStream, { getTracks: () => [{ stop: () => stopped.push('video') }] });
    withCamera(async () => stream);
    render('ru-RU');
    act(() => button('Сканировать QR-код')!.click());
    await flush();
    await flush();
    expect(dom.container.querySelector('video')?.getAttribute('aria-label')).toBe('Изображение с камеры');
    act(() => button('Остановить сканирование')!.click());
    await flush();
    expect(stopped.length).toBeGreaterThanOrEqual(1);
    expect(dom.container.querySelector('video')).toBeNull();
    expect(button('Сканировать QR-код')).toBeDefined();
  });
});
