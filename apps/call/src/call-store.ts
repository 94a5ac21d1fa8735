import { type CallMediaState, type CallState, IDLE_CALL_STATE } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import type { ObservableScope } from '@parley/event-bus/scope';
import { createSignal } from 'solid-js';
import { CallEngine, type CallMediaFactory, type CallMediaSession, type CallSelf, type CallSignalingChannel, type CallSnapshot, IDLE_SNAPSHOT, toCallState } from '@parley/call-engine';
import { type Clock, systemClock } from '@parley/clock';

/** What the store needs besides the bus: who this device is, how to reach the peer, and media. */
export interface CallStoreDeps<S extends CallMediaSession> {
  readonly self: CallSelf;
  readonly channel: CallSignalingChannel;
  readonly createMedia: CallMediaFactory<S>;
  readonly newCallId: () => string;
  readonly clock?: Clock;
  /** How long a call rings before it is missed (the engine's RING_TIMEOUT_MS unless given). */
  readonly ringTimeoutMs?: number;
}

/**
 * The call app's state and actions: a thin Solid layer over the `CallEngine`. Every change is
 * mirrored to the bus's `call.state` so the shell and chat can show it, and every finished call
 * is published as `call.entry` for the chat to render. All subscriptions belong to `scope`.
 */
export function createCallStore<S extends CallMediaSession>(bus: EventBus, scope: ObservableScope, deps: CallStoreDeps<S>) {
  const clock = deps.clock ?? systemClock;
  // The engine takes its lifetime from `scope` before anything else binds to it, so a call cut
  // short by the app's destruction still reaches the bus as ended, with its call entry, before the
  // listeners go.
  const engine = new CallEngine<S>({
    scope,
    self: deps.self,
    channel: deps.channel,
    clock,
    newCallId: deps.newCallId,
    createMedia: deps.createMedia,
    ...(deps.ringTimeoutMs !== undefined ? { ringTimeoutMs: deps.ringTimeoutMs } : {}),
    onWarning: (message) => console.warn(`[call] ${message}`),
  });
  // Signals of immutable values, not a store: a store would merge updates into (and so mutate)
  // the shared IDLE_CALL_STATE object.
  const [snapshot, setSnapshot] = createSignal<CallSnapshot>(IDLE_SNAPSHOT);
  const [call, setCall] = createSignal<CallState>(IDLE_CALL_STATE);
  const [media, setMedia] = createSignal<S | null>(null);
  const state = {
    /** The bus view of the call (phase `incoming` while ringing). */
    get call(): CallState {
      return call();
    },
    /** The engine's view: role, outcome, times, reconnecting. */
    get snapshot(): CallSnapshot {
      return snapshot();
    },
    /** The current call's media session, while it has one. */
    get media(): S | null {
      return media();
    },
  };

  scope.bind(engine.snapshot$, (next) => {
    setSnapshot(next);
    const callState = next.phase === 'idle' ? IDLE_CALL_STATE : toCallState(next);
    setCall(callState);
    bus.set('call.state', callState);
  });
  scope.bind(engine.media$, (session) => setMedia(() => session));
  scope.bind(engine.entries$, (entry) => bus.publish('call.entry', entry));
  scope.bind(bus.on('call.requested'), (request) => engine.call(request));

  return {
    state,
    accept: () => engine.accept(),
    decline: () => engine.decline(),
    hangUp: () => engine.hangUp(),
    dismiss: () => engine.dismiss(),
    /** This side's microphone, camera and screen sharing, for the peer (see `CallEngine.setLocalMediaState`). */
    setLocalMediaState: (state: CallMediaState) => engine.setLocalMediaState(state),
    /** The engine's clock, so the elapsed time the UI shows agrees with the call entry's duration. */
    now: () => clock.now(),
  };
}

export type CallStore<S extends CallMediaSession = CallMediaSession> = ReturnType<typeof createCallStore<S>>;
