// @vitest-environment happy-dom
import { act } from 'react';
import { beforeAll, describe, expect, it } from 'vitest';
import { messagesFor } from '../messages.js';
import { CallsSettings } from './CallsSettings.js';
import { OnboardingScreen } from './OnboardingScreen.js';
import { OtherTabScreen } from './OtherTabScreen.js';
import { type PendingLink, SettingsPanel } from './SettingsPanel.js';
import { reactTestRoot } from '@parley/bus-react/testing';


const dom = reactTestRoot();

const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
// The onboarding form loads its checks on demand; loaded once here, each submit settles in one flush.
beforeAll(() => import('./onboarding-checks.js'));
const byLabel = (text: string) => {
  const label = [...dom.container.querySelectorAll('label')].find((l) => l.textContent === text)!;
  return dom.container.querySelector<HTMLInputElement>(`#${CSS.escape(label.htmlFor)}`)!;
};
const button = (name: string) => [...dom.container.querySelectorAll('button')].find((b) => b.textContent === name || b.getAttribute('aria-label') === name)!;
function type(element: HTMLInputElement, value: string) {
  const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  act(() => {
    setter.call(element, value);
    element.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('OnboardingScreen', () => {
  it('creates an account with a lowercase handle, and says why when the server refuses', async () => {
    const created: string[][] = [];
    const actions = {
      createAccount: async (handle: string, name: string) => {
        created.push([handle, name]);
        throw Object.assign(new Error('taken'), { code: 'handle_taken' });
      },
      linkThisBrowser: async () => {},
    };
    act(() => dom.root.render(<OnboardingScreen t={messagesFor('en-US')} locale="en-US" onLocale={() => {}} actions={actions} />));
    type(byLabel('Handle'), 'Ada.Lovelace');
    type(byLabel('Display name'), ' Ada ');
    act(() => button('Create account').click());
    await flush();
    expect(created).toEqual([['ada.lovelace', 'Ada']]);
    expect(dom.container.querySelector('[data-testid="create-account-error"]')!.textContent).toBe('That handle is taken. Pick another one.');
  });

  it('refuses a malformed handle before asking anyone, and links with a code', async () => {
    const codes: string[] = [];
    const actions = {
      createAccount: async () => {
        throw new Error('must not be called');
      },
      linkThisBrowser: async (code: string) => {
        codes.push(code);
        throw Object.assign(new Error('expired'), { code: 'link-expired' });
      },
    };
    act(() => dom.root.render(<OnboardingScreen t={messagesFor('ru-RU')} locale="ru-RU" onLocale={() => {}} actions={actions} />));
    type(byLabel('Имя пользователя'), 'no spaces allowed');
    type(byLabel('Отображаемое имя'), 'Ада');
    act(() => button('Создать').click());
    await flush();
    expect(dom.container.querySelector('[data-testid="create-account-error"]')!.textContent).toBe('Проверьте имя пользователя и отображаемое имя.');
    type(byLabel('Код подключения'), ' abcdefgh-xyz ');
    act(() => button('Подключить браузер').click());
    await flush();
    expect(codes).toEqual(['abcdefgh-xyz']);
    expect(dom.container.querySelector('[data-testid="link-error"]')!.textContent).toContain('Срок действия кода истёк');
  });

  it('refuses a display name with invisible or bidi characters, and a guest. handle, saying why (issue 21)', async () => {
    const actions = {
      createAccount: async () => {
        throw new Error('must not be called');
      },
      linkThisBrowser: async () => {},
      joinAsGuest: async () => {
        throw new Error('must not be called');
      },
    };
    const error = (id: string) => dom.container.querySelector(`[data-testid="${id}"]`)?.textContent;
    act(() => dom.root.render(<OnboardingScreen t={messagesFor('en-US')} locale="en-US" onLocale={() => {}} actions={actions} />));
    type(byLabel('Handle'), 'ada');
    type(byLabel('Display name'), 'Ada\u202Egnp.exe');
    act(() => button('Create account').click());
    await flush();
    expect(error('create-account-error')).toBe('The name contains invisible or text-direction characters. Type it again without them.');
    type(byLabel('Display name'), 'Ada');
    type(byLabel('Handle'), 'guest.0123456789abcdef');
    act(() => button('Create account').click());
    await flush();
    expect(error('create-account-error')).toBe('Handles starting with “guest.” are kept for guests. Pick another one.');
    type(byLabel('Your name'), 'Ada\u200B');
    act(() => button('Join as guest').click());
    await flush();
    expect(error('guest-error')).toBe('The name contains invisible or text-direction characters. Type it again without them.');

    act(() => dom.root.render(<OnboardingScreen t={messagesFor('ru-RU')} locale="ru-RU" onLocale={() => {}} actions={actions} />));
    type(byLabel('Имя пользователя'), 'ada');
    type(byLabel('Отображаемое имя'), '\u2067Ада');
    act(() => button('Создать').click());
    await flush();
    expect(error('create-account-error')).toBe('В имени есть невидимые символы или символы направления текста. Введите его заново без них.');
    type(byLabel('Отображаемое имя'), 'Ада');
    type(byLabel('Имя пользователя'), 'guest.ada');
    act(() => button('Создать').click());
    await flush();
    expect(error('create-account-error')).toBe('Имена, начинающиеся с «guest.», зарезервированы для гостей. Выберите другое.');
  });
});

describe('SettingsPanel', () => {
  it('lists devices, offers removal of the others only, and shows a link code until the device is linked', async () => {
    let devices = [
      { deviceId: 1, createdAt: 0, lastSeenAt: 0 },
      { deviceId: 2, createdAt: 0, lastSeenAt: 0 },
    ];
    const removed: number[] = [];
    let linked: (deviceId: number) => void = () => {};
    const actions = {
      listDevices: async () => devices,
      removeDevice: async (id: number) => {
        removed.push(id);
        devices = devices.filter((d) => d.deviceId !== id);
      },
      startLinking: async (): Promise<PendingLink> => ({
        code: 'abcdefgh-secret',
        expiresAt: Date.now() + 60_000,
        linked: new Promise<number>((resolve) => (linked = resolve)),
        cancel: () => {},
      }),
      sendHistory: async () => 0,
      signOut: async () => {},
    };
    const account = { handle: 'ada', displayName: 'Ada', deviceId: 1 };
    act(() => dom.root.render(<SettingsPanel t={messagesFor('en-US')} locale="en-US" onLocale={() => {}} account={account} actions={actions} onClose={() => {}} />));
    await flush();
    expect([...dom.container.querySelectorAll('[data-testid="device"] > span')].map((s) => s.textContent)).toEqual(['This device (device 1)', 'Device 2']);
    expect(button('Remove device 1')).toBeUndefined();
    act(() => button('Remove device 2').click());
    await flush();
    expect(removed).toEqual([2]);
    expect(dom.container.querySelectorAll('[data-testid="device"]')).toHaveLength(1);
    act(() => button('Link a device').click());
    await flush();
    expect(dom.container.querySelector('[data-testid="link-code"]')!.textContent).toBe('abcdefgh-secret');
    await act(async () => linked(3));
    await flush();
    expect(dom.container.querySelector('[data-testid="link-done"]')!.textContent).toBe('The new device is linked.');
  });
});

describe('CallsSettings', () => {
  it('offers "Call links" as a button that says it opens a dialog, in English and Russian', () => {
    let asked = 0;
    act(() => dom.root.render(<CallsSettings t={messagesFor('en-US')} onCallLinks={() => asked++} />));
    const section = dom.container.querySelector('section')!;
    expect(section.querySelector('h3')!.textContent).toBe('Calls');
    expect(section.getAttribute('aria-labelledby')).toBe(section.querySelector('h3')!.id);
    const entry = button('Call links');
    expect(entry.getAttribute('aria-haspopup')).toBe('dialog');
    act(() => entry.click());
    expect(asked).toBe(1);
    act(() => dom.root.render(<CallsSettings t={messagesFor('ru-RU')} onCallLinks={() => asked++} />));
    expect(dom.container.querySelector('h3')!.textContent).toBe('Звонки');
    act(() => button('Ссылки на звонки').click());
    expect(asked).toBe(2);
  });
});

describe('SettingsPanel sign-out (issue 21)', () => {
  const render = (locale: string, signOut: () => Promise<void>) => {
    const actions = { listDevices: async () => [], removeDevice: async () => {}, startLinking: async () => Promise.reject(new Error('unused')), sendHistory: async () => 0, signOut };
    const account = { handle: 'ada', displayName: 'Ada', deviceId: 1 };
    act(() => dom.root.render(<SettingsPanel t={messagesFor(locale)} locale={locale} onLocale={() => {}} account={account} actions={actions} onClose={() => {}} />));
  };
  const dialog = () => dom.container.querySelector<HTMLDialogElement>('[data-testid="sign-out-dialog"]')!;

  it('asks first, with the focus on Cancel; Cancel signs nothing out, confirming does', async () => {
    let signedOut = 0;
    render('en-US', async () => {
      signedOut++;
    });
    await flush();
    act(() => button('Sign out of this browser').click());
    expect(dialog().open).toBe(true);
    expect(dialog().textContent).toContain('Sign out of this browser? Your messages on this browser will be deleted.');
    expect(document.activeElement?.textContent).toBe('Cancel');
    act(() => button('Cancel').click());
    expect(dialog().open).toBe(false);
    expect(document.activeElement?.textContent).toBe('Sign out of this browser');
    expect(signedOut).toBe(0);
    act(() => button('Sign out of this browser').click());
    await act(async () => button('Sign out').click());
    expect(signedOut).toBe(1);
  });

  it('Escape in the confirmation closes the confirmation only; Escape in Settings closes Settings', async () => {
    let closed = 0;
    const actions = { listDevices: async () => [], removeDevice: async () => {}, startLinking: async () => Promise.reject(new Error('unused')), sendHistory: async () => 0, signOut: async () => {} };
    const account = { handle: 'ada', displayName: 'Ada', deviceId: 1 };
    act(() => dom.root.render(<SettingsPanel t={messagesFor('en-US')} locale="en-US" onLocale={() => {}} account={account} actions={actions} onClose={() => closed++} />));
    await flush();
    act(() => button('Sign out of this browser').click());
    act(() => dialog().dispatchEvent(new Event('cancel', { cancelable: true })));
    expect(dialog().open).toBe(false);
    expect(closed).toBe(0);
    const settings = dom.container.querySelector<HTMLDialogElement>('[data-testid="settings"]')!;
    act(() => settings.dispatchEvent(new Event('cancel', { cancelable: true })));
    expect(closed).toBe(1);
  });

  it('speaks Russian', async () => {
    render('ru-RU', async () => {});
    await flush();
    act(() => button('Выйти из этого браузера').click());
    expect(dialog().textContent).toContain('Выйти из этого браузера? Ваши сообщения в этом браузере будут удалены.');
    expect(button('Выйти')).toBeDefined();
    expect(button('Отмена')).toBeDefined();
  });
});

describe('OtherTabScreen', () => {
  it('offers "Use here"', () => {
    let used = 0;
    act(() => dom.root.render(<OtherTabScreen t={messagesFor('en-US')} onUseHere={() => used++} />));
    expect(dom.container.querySelector('h1')!.textContent).toBe('Parley is open in another tab');
    act(() => button('Use here').click());
    expect(used).toBe(1);
  });
});
