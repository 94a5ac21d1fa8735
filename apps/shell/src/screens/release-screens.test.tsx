// @vitest-environment happy-dom
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../messages.js';
import { BetaToggle } from './BetaToggle.js';
import { ReleaseInfo } from './ReleaseInfo.js';
import { reactTestRoot } from '@parley/bus-react/testing';


const dom = reactTestRoot();

const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));
const checkbox = () => dom.container.querySelector<HTMLInputElement>('input[type="checkbox"]')!;

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
    act(() => dom.root.render(<BetaToggle t={messagesFor('en-US')} actions={actions} />));
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
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe('The beta setting could not be saved.');
  });

  it('speaks Russian', async () => {
    act(() => dom.root.render(<BetaToggle t={messagesFor('ru-RU')} actions={{ get: async () => true, set: async () => {} }} />));
    await flush();
    expect(dom.container.querySelector('label')?.textContent).toBe('Бета-программа');
    expect(checkbox().checked).toBe(true);
  });
});

describe('ReleaseInfo', () => {
  it('lists each remote with its release and entry, and the shared versions loaded', () => {
    act(() =>
      dom.root.render(
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
    const rows = [...dom.container.querySelectorAll('[data-testid="release-info-remote"]')].map((row) => row.textContent);
    expect(rows).toEqual(['chat 0.1.0 http://localhost:4201/releases/0.1.0/remoteEntry.js', 'call not loaded']);
    expect(dom.container.querySelector('[data-testid="shared-library"]')?.textContent).toBe('rxjs@7.8.2 from shell');
  });
});
