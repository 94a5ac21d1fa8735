// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import type { ConversationSummary } from '@parley/messenger';
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { ConversationPending } from './ConversationPending.js';
import { usePrefetchWhenIdle } from './idle-prefetch.js';
import { messagesFor } from './messages.js';
import { LazyPart, partLoader } from './part-loader.js';

const dom = reactTestRoot();
const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));

/** A fetch the test settles by hand, counting how often it was started. */
function deferredFetch<T>() {
  const calls: { resolve: (part: T) => void; reject: (error: Error) => void }[] = [];
  const fetchPart = () => new Promise<T>((resolve, reject) => calls.push({ resolve, reject }));
  return { fetchPart, calls };
}

const quietly = () => vi.spyOn(console, 'warn').mockImplementation(() => {});

describe('partLoader', () => {
  it('fetches once however often it is asked, and keeps the part', async () => {
    const { fetchPart, calls } = deferredFetch<string>();
    const loader = partLoader('the part', fetchPart);
    expect(loader.state()).toEqual({ status: 'idle' });
    const first = loader.load();
    const second = loader.load();
    expect(loader.state()).toEqual({ status: 'loading' });
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('thread');
    await Promise.all([first, second]);
    expect(loader.state()).toEqual({ status: 'loaded', part: 'thread' });
    await loader.load();
    expect(calls).toHaveLength(1);
  });

  it('says when the chunk failed, and fetches again when asked again (a glitch while prefetching is not final)', async () => {
    const warn = quietly();
    const { fetchPart, calls } = deferredFetch<string>();
    const loader = partLoader('the part', fetchPart);
    const seen: string[] = [];
    loader.subscribe(() => seen.push(loader.state().status));
    const failing = loader.load();
    calls[0]!.reject(new Error('Loading chunk 5 failed (integrity)'));
    await failing;
    expect(loader.state()).toEqual({ status: 'failed' });
    expect(warn).toHaveBeenCalledWith('[chat] the part could not be loaded:', 'Loading chunk 5 failed (integrity)');
    const retry = loader.load();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve('thread');
    await retry;
    expect(seen).toEqual(['loading', 'failed', 'loading', 'loaded']);
    warn.mockRestore();
  });
});

describe('LazyPart', () => {
  const show = (loader: ReturnType<typeof partLoader<string>>, loadNow?: boolean) =>
    act(() =>
      dom.root.render(
        <LazyPart loader={loader} {...(loadNow === undefined ? {} : { loadNow })} loading={<p role="status">Loading…</p>} failed={<p role="alert">not loaded</p>} render={(part) => <p>{part}</p>} />,
      ),
    );

  it('shows the loading state while its part is on its way, then the part', async () => {
    const { fetchPart, calls } = deferredFetch<string>();
    const loader = partLoader('the part', fetchPart);
    show(loader);
    expect(dom.container.textContent).toBe('Loading…');
    expect(calls).toHaveLength(1);
    calls[0]!.resolve('the thread');
    await flush();
    expect(dom.container.textContent).toBe('the thread');
  });

  it('renders a part that has already arrived at once, without a loading state', async () => {
    const loader = partLoader('the part', () => Promise.resolve('the thread'));
    await loader.load();
    show(loader);
    expect(dom.container.textContent).toBe('the thread');
  });

  it('shows the failure in its place when the chunk does not arrive', async () => {
    const warn = quietly();
    const loader = partLoader('the part', () => Promise.reject(new Error('refused')));
    show(loader);
    await flush();
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe('not loaded');
    warn.mockRestore();
  });

  it('with loadNow false waits for someone else to fetch the part (the idle prefetch)', async () => {
    const { fetchPart, calls } = deferredFetch<string>();
    const loader = partLoader('the part', fetchPart);
    show(loader, false);
    await flush();
    expect(calls).toHaveLength(0);
    expect(dom.container.textContent).toBe('Loading…');
    await act(async () => {
      const prefetch = loader.load();
      calls[0]!.resolve('search');
      await prefetch;
    });
    expect(dom.container.textContent).toBe('search');
  });
});

describe('usePrefetchWhenIdle', () => {
  it('runs the prefetch after the first render, not during it', async () => {
    const prefetch = vi.fn();
    function List() {
      usePrefetchWhenIdle(prefetch);
      return <nav aria-label="Conversations" />;
    }
    act(() => dom.root.render(<List />));
    expect(dom.container.querySelector('nav')).not.toBeNull();
    for (let turn = 0; turn < 50 && prefetch.mock.calls.length === 0; turn++) await flush();
    expect(prefetch).toHaveBeenCalledTimes(1);
  });
});

describe('ConversationPending', () => {
  const ada: ConversationSummary = { conversationId: 'u-ada', peer: { userId: 'u-ada', handle: 'ada', displayName: 'Ada Lovelace' }, lastMessage: null, unread: 0 };

  it('names the opened conversation and keeps the way back while its code loads, in English and Russian', () => {
    const back = vi.fn();
    act(() => dom.root.render(<ConversationPending conversation={ada} t={messagesFor('en-US')} onBack={back} status="loading" />));
    expect(dom.container.querySelector('section')?.getAttribute('aria-label')).toBe('Ada Lovelace');
    expect(dom.container.querySelector('[role="status"]')?.textContent).toBe('Loading…');
    act(() => dom.container.querySelector<HTMLButtonElement>('button[aria-label="Back to chats"]')!.click());
    expect(back).toHaveBeenCalledTimes(1);
    act(() => dom.root.render(<ConversationPending conversation={ada} t={messagesFor('ru-RU')} onBack={back} status="loading" />));
    expect(dom.container.querySelector('[role="status"]')?.textContent).toBe('Загрузка…');
  });

  it('says the conversation could not be loaded, in English and Russian', () => {
    act(() => dom.root.render(<ConversationPending conversation={ada} t={messagesFor('en-US')} onBack={() => {}} status="failed" />));
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe(
      'This part of Parley could not be loaded, or was not the code this version was built with. Reload the page.',
    );
    act(() => dom.root.render(<ConversationPending conversation={ada} t={messagesFor('ru-RU')} onBack={() => {}} status="failed" />));
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe('Эта часть Parley не загрузилась или не совпала с кодом, с которым собрана эта версия. Перезагрузите страницу.');
  });
});
