import { IDLE_CALL_STATE } from '@parley/contracts';
import { EventBus, ObservableScope } from '@parley/event-bus';
import { createRoot } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { createCallStore } from './call-store.js';

const peer = { userId: 'u2', displayName: 'Ada' };

function withStore(run: (bus: EventBus, store: ReturnType<typeof createCallStore>, scope: ObservableScope) => void) {
  createRoot((dispose) => {
    const bus = new EventBus();
    const scope = new ObservableScope();
    let n = 0;
    run(bus, createCallStore(bus, scope, () => `call-${++n}`), scope);
    dispose();
  });
}

describe('call store', () => {
  it('answers call.requested with an outgoing call mirrored to call.state', () => {
    withStore((bus, store) => {
      bus.publish('call.requested', { conversationId: 'c1', peer, media: 'video' });
      const expected = { phase: 'outgoing', callId: 'call-1', conversationId: 'c1', media: 'video', peer };
      expect(store.state.call).toEqual(expected);
      expect(bus.state('call.state').value).toEqual(expected);
    });
  });

  it('ignores a second request while a call is on, then hangs up and returns to idle', () => {
    withStore((bus, store) => {
      bus.publish('call.requested', { conversationId: 'c1', peer, media: 'audio' });
      bus.publish('call.requested', { conversationId: 'c2', peer, media: 'video' });
      expect(store.state.call.conversationId).toBe('c1');
      store.hangUp();
      expect(bus.state('call.state').value.phase).toBe('ended');
      store.dismiss();
      expect(bus.state('call.state').value).toBe(IDLE_CALL_STATE);
    });
  });

  it('stops listening when its scope ends', () => {
    withStore((bus, store, scope) => {
      scope.end();
      bus.publish('call.requested', { conversationId: 'c1', peer, media: 'audio' });
      expect(store.state.call.phase).toBe('idle');
      expect(bus.inspectSubjects().get('call.requested')?.observers.length).toBe(0);
    });
  });
});
