// @vitest-environment happy-dom
import { EventBus } from '@parley/event-bus';
import { act } from 'react';
import { describe, expect, it } from 'vitest';
import { useBehavior } from './index.js';
import { reactTestRoot } from './testing.js';

describe('useBehavior', () => {
  const mounted = reactTestRoot();

  it('re-renders on every change of the Behavior, and with a selector only when the selected part changes', () => {
    const bus = new EventBus();
    const renders = { whole: 0, phase: 0 };
    function Whole() {
      const call = useBehavior(bus.state('call.state'));
      renders.whole += 1;
      return <p data-testid="whole">{call.callId ?? 'none'}</p>;
    }
    function Phase() {
      const phase = useBehavior(bus.state('call.state'), (call) => call.phase);
      renders.phase += 1;
      return <p data-testid="phase">{phase}</p>;
    }
    act(() => mounted.root.render(<><Whole /><Phase /></>));
    const text = (id: string) => mounted.container.querySelector(`[data-testid="${id}"]`)?.textContent;
    expect([text('whole'), text('phase')]).toEqual(['none', 'idle']);

    const outgoing = { phase: 'outgoing', callId: 'c1', conversationId: 'ada', media: 'video', peer: null } as const;
    act(() => bus.set('call.state', outgoing));
    expect([text('whole'), text('phase')]).toEqual(['c1', 'outgoing']);
    const before = { ...renders };
    // A new value with the same phase: the whole reader renders again, the phase reader does not.
    act(() => bus.set('call.state', { ...outgoing, callId: 'c2' }));
    expect(text('whole')).toBe('c2');
    expect(renders).toEqual({ whole: before.whole + 1, phase: before.phase });
    act(() => bus.set('call.state', { ...outgoing, callId: 'c2', phase: 'active' }));
    expect(text('phase')).toBe('active');
    expect(renders.phase).toBe(before.phase + 1);
  });
});
