// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import { Suspense, act, lazy } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { LazyPartBoundary } from './LazyPartBoundary.js';

const dom = reactTestRoot();
const flush = () => act(async () => new Promise((resolve) => setTimeout(resolve, 0)));

describe('LazyPartBoundary', () => {
  it('shows its fallback in place of a lazily loaded part whose chunk was refused; the rest stays', async () => {
    const Refused = lazy(() => Promise.reject(Object.assign(new Error('Loading chunk failed'), { name: 'ChunkLoadError' })));
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    act(() =>
      dom.root.render(
        <section>
          <h2>Conversations</h2>
          <LazyPartBoundary fallback={<p role="alert">not loaded</p>}>
            <Suspense fallback={null}>
              <Refused />
            </Suspense>
          </LazyPartBoundary>
        </section>,
      ),
    );
    for (let turn = 0; turn < 50 && !dom.container.querySelector('[role="alert"]'); turn++) await flush();
    expect(dom.container.querySelector('[role="alert"]')?.textContent).toBe('not loaded');
    expect(dom.container.querySelector('h2')?.textContent).toBe('Conversations');
    warn.mockRestore();
    error.mockRestore();
  });

  it('shows the part itself when its chunk arrives', async () => {
    const Arrived = lazy(async () => ({ default: () => <p>the form</p> }));
    act(() =>
      dom.root.render(
        <LazyPartBoundary fallback={<p role="alert">not loaded</p>}>
          <Suspense fallback={null}>
            <Arrived />
          </Suspense>
        </LazyPartBoundary>,
      ),
    );
    for (let turn = 0; turn < 50 && !dom.container.textContent?.includes('the form'); turn++) await flush();
    expect(dom.container.textContent).toBe('the form');
  });
});
