import { IDLE_CALL_STATE } from '@parley/contracts';
import { EventBus } from '@parley/event-bus';
import { ObservableScope } from '@parley/event-bus/scope';
import { createRoot } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { createCallStore } from './call-store.js';
import { FakeCallMedia, FakeSignalingNetwork, settle } from '@parley/call-engine/testing';
import { ManualClock } from '@parley/clock/testing';

const peer = { userId: 'u2', displayName: 'Ada' };

type Store = ReturnType<typeof createCallStore<FakeCallMedia>>;

function makeStore(bus: EventBus, scope: ObservableScope, network = new FakeSignalingNetwork(), userId = 'u1') {
  let n = 0;
  return createCallStore(bus, scope, {
    self: { userId, deviceId: 1, displayName: userId },
    channel: network.channel(userId, 1),
    clock: new ManualClock(),
    newCallId: () => `call-${++n}`,
    createMedia: (init) => new FakeCallMedia(init, { autoConnect: true }),
  });
}

function withStore(run: (bus: EventBus, store: Store, scope: ObservableScope) => void) {
  createRoot((dispose) => {
    const bus = new EventBus();
    const scope = new ObservableScope();
    run(bus, makeStore(bus, scope), scope);
    scope.end();
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

  it('publishes a call.entry when a call ends', () => {
    withStore((bus, store) => {
      const entries: unknown[] = [];
      const sub = bus.on('call.entry').subscribe((entry) => entries.push(entry));
      bus.publish('call.requested', { conversationId: 'c1', peer, media: 'audio' });
      store.hangUp();
      expect(entries).toEqual([expect.objectContaining({ callId: 'call-1', conversationId: 'c1', outcome: 'cancelled', direction: 'outgoing', durationMs: null })]);
      sub.unsubscribe();
    });
  });

  it('rings on a call-signaling offer from the bus network and answers through it', async () => {
    const network = new FakeSignalingNetwork();
    const bus = new EventBus();
    const scopes = [new ObservableScope(), new ObservableScope()];
    const [caller, callee] = createRoot(() => [makeStore(bus, scopes[0]!, network, 'u1'), makeStore(new EventBus(), scopes[1]!, network, 'u2')]);
    bus.publish('call.requested', { conversationId: 'u2', peer: { userId: 'u2', displayName: 'Bo' }, media: 'video' });
    await settle();
    expect(callee!.state.call.phase).toBe('incoming');
    callee!.accept();
    await settle();
    expect(caller!.state.call.phase).toBe('active');
    expect(bus.state('call.state').value.phase).toBe('active');
    expect(caller!.state.media).not.toBeNull();
    scopes.forEach((scope) => scope.end());
  });

  it('a call cut short by the app ending is still logged and hung up', () => {
    createRoot((dispose) => {
      const bus = new EventBus();
      const scope = new ObservableScope();
      makeStore(bus, scope);
      const entries: unknown[] = [];
      const sub = bus.on('call.entry').subscribe((entry) => entries.push(entry));
      bus.publish('call.requested', { conversationId: 'c1', peer, media: 'audio' });
      scope.end();
      expect(entries).toEqual([expect.objectContaining({ outcome: 'cancelled' })]);
      sub.unsubscribe();
      dispose();
    });
  });

  it('stops listening when its scope ends', () => {
    withStore((bus, store, scope) => {
      scope.end();
      bus.publish('call.requested', { conversationId: 'c1', peer, media: 'audio' });
      expect(store.state.call.phase).toBe('idle');
      expect(bus.inspectSubjects!().get('call.requested')?.observers.length).toBe(0);
    });
  });
});
