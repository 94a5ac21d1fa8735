import { type CallRequest, type CallState, IDLE_CALL_STATE } from '@parley/contracts';
import type { EventBus, ObservableScope } from '@parley/event-bus';
import { createSignal } from 'solid-js';

/**
 * The call app's state and actions. The store is the source of truth inside the app; every change
 * is mirrored to the bus's `call.state` so the shell and chat can show it.
 */
export function createCallStore(bus: EventBus, scope: ObservableScope, newCallId: () => string) {
  // A signal of immutable values, not a store: a store would merge updates into (and so mutate)
  // the shared IDLE_CALL_STATE object.
  const [call, setCall] = createSignal<CallState>(IDLE_CALL_STATE);
  const state = {
    get call(): CallState {
      return call();
    },
  };

  function publish(next: CallState): void {
    setCall(next);
    bus.set('call.state', next);
  }

  /** A chat asked for a call: show the outgoing call panel. Ignored while a call is on. */
  function request(req: CallRequest): void {
    if (state.call.phase !== 'idle' && state.call.phase !== 'ended') return;
    publish({
      phase: 'outgoing',
      callId: newCallId(),
      conversationId: req.conversationId,
      media: req.media,
      peer: req.peer,
    });
  }

  function hangUp(): void {
    if (state.call.phase === 'idle') return;
    publish({ ...state.call, phase: 'ended' });
  }

  function dismiss(): void {
    publish(IDLE_CALL_STATE);
  }

  scope.bind(bus.on('call.requested'), request);
  return { state, hangUp, dismiss };
}

export type CallStore = ReturnType<typeof createCallStore>;
