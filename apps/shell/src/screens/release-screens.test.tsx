// @vitest-environment happy-dom
import { act } from 'react';
import { type Root, createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { messagesFor } from '../messages.js';
import { BetaToggle } from './BetaToggle.js';
import { ReleaseInfo } from './ReleaseInfo.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLDivElement;
let root: Root;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});
afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
const checkbox = () => container.querySelector<HTMLInputElement>('input[type="checkbox"]')!;

describe('BetaToggle', () => {
  it('shows the saved choice, saves a change, and undoes it with a notice when saving fails', async () => {
    const saved: boolean[] = [];
    let fail = false;
    const actions = {
      get: async () => false,
      set: async (enabled: boolean) => {
        if (fail) throw new Error('down');
        saved.push(enabled);
      },
    };
    act(() => root.render(<BetaToggle t={messagesFor('en-US')} actions={actions} />));
    expect(checkbox().disabled).toBe(true);
    await flush();
    expect(checkbox().checked).toBe(false);
    act(() => checkbox().click());
    await flush();
    expect(saved).toEqual([true]);
    expect(checkbox().checked).toBe(true);

    fail = true;
    act(() => checkbox().click());
    await flush();
    expect(checkbox().checked).toBe(true);
    expect(container.querySelector('[role="alert"]')?.textContent).toBe('The beta setting could not be saved.');
  });

  it('speaks Russian', async () => {
    act(() => root.render(<BetaToggle t={messagesFor('ru-RU')} actions={{ get: async () => true, set: async () => {} }} />));
    await flush();
    expect(container.querySelector('label')?.textContent).toBe('Бета-программа');
    expect(checkbox().checked).toBe(true);
  });
});

describe('ReleaseInfo', () => {
  it('lists each remote with its release and entry, and the shared versions loaded', () => {
    act(() =>
      root.render(
        <ReleaseInfo
          t={messagesFor('en-US')}
          remotes={[
            { name: 'chat', version: '0.1.0', entry: 'http://localhost:4201/releases/0.1.0/remoteEntry.js', loadedVersion: '0.1.0' },
            { name: 'call' },
          ]}
          shared={[{ name: 'rxjs', version: '7.8.2', from: 'shell' }]}
        />,
      ),
    );
    const rows = [...container.querySelectorAll('[data-testid="release-info-remote"]')].map((row) => row.textContent);
    expect(rows).toEqual(['chat 0.1.0 http://localhost:4201/releases/0.1.0/remoteEntry.js', 'call not loaded']);
    expect(container.querySelector('[data-testid="shared-library"]')?.textContent).toBe('rxjs@7.8.2 from shell');
  });
});
