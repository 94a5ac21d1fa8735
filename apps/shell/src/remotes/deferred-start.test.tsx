// @vitest-environment happy-dom
import { reactTestRoot } from '@parley/bus-react/testing';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import type { IdleScheduler } from '../idle.js';
import { useDeferredStart } from './deferred-start.js';

const dom = reactTestRoot();

/** Idle moments the test hands out by hand. */
function manualIdle() {
  const waiting = new Set<() => void>();
  const scheduler: IdleScheduler = {
    request(run) {
      waiting.add(run);
      return () => waiting.delete(run);
    },
  };
  const idleNow = () => act(() => [...waiting].forEach((run) => (waiting.delete(run), run())));
  return { scheduler, waiting, idleNow };
}

function Probe({ ready, idle }: { ready: boolean; idle: IdleScheduler }) {
  return <p>{useDeferredStart(ready, idle) ? 'started' : 'waiting'}</p>;
}

const shown = () => dom.container.textContent;

describe('useDeferredStart', () => {
  it('waits for ready, then for an idle moment, then stays started', () => {
    const { scheduler, waiting, idleNow } = manualIdle();
    act(() => dom.root.render(<Probe ready={false} idle={scheduler} />));
    expect(waiting.size).toBe(0);
    idleNow();
    expect(shown()).toBe('waiting');

    act(() => dom.root.render(<Probe ready={true} idle={scheduler} />));
    expect(shown()).toBe('waiting');
    expect(waiting.size).toBe(1);
    idleNow();
    expect(shown()).toBe('started');

    act(() => dom.root.render(<Probe ready={false} idle={scheduler} />));
    expect(shown()).toBe('started');
  });

  it('cancels the idle request when ready is taken back before it ran', () => {
    const { scheduler, waiting, idleNow } = manualIdle();
    act(() => dom.root.render(<Probe ready={true} idle={scheduler} />));
    act(() => dom.root.render(<Probe ready={false} idle={scheduler} />));
    expect(waiting.size).toBe(0);
    idleNow();
    expect(shown()).toBe('waiting');
  });
});
