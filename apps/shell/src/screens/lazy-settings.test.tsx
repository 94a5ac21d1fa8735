// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { messagesFor } from '../messages.js';

// The settings chunk as the browser sees it when it does not arrive or fails its integrity check.
vi.mock('./settings-screens.js', () => {
  throw Object.assign(new Error('Loading chunk settings failed'), { name: 'ChunkLoadError' });
});

const dom = reactTestRoot();
const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));

describe('lazily loaded settings', () => {
  it('a refused settings chunk shows "could not be loaded" in its place, in the user’s language, and leaves the page up', async () => {
    const { CallsSettings } = await import('./lazy-settings.js');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    act(() =>
      dom.root.render(
        <main>
          <h1>Parley</h1>
          <CallsSettings t={messagesFor('ru-RU')} onCallLinks={() => {}} />
        </main>,
      ),
    );
    for (let turn = 0; turn < 50 && !dom.container.querySelector('[role="alert"]'); turn++) await flush();
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe(messagesFor('ru-RU').codeNotLoaded);
    expect(dom.container.querySelector('h1')?.textContent).toBe('Parley');
    warn.mockRestore();
    error.mockRestore();
  });
});
