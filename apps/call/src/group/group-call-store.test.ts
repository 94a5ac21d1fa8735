import { EventBus } from '@parley/event-bus';
import { ObservableScope } from '@parley/event-bus/scope';
import { type GroupMediaSession, RING_TIMEOUT_MS } from '@parley/call-engine';
import type { CallEntry } from '@parley/contracts';
import { ManualClock } from '@parley/clock/testing';
import { NEVER, of, Subject } from 'rxjs';
import { createRoot } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { messagesFor } from '../messages.js';
import { createGroupCallStore } from './group-call-store.js';

/** What the relay client rejects an SFU request with: a message for developers and the server's code. */
const refused = (serverCode: string) => Object.assign(new Error(`the server refused the SFU create request (${serverCode})`), { serverCode });

describe('group call store: starting a call the server refuses', () => {
  it('keeps the server’s code (too_many_calls) as the failure, which the panel words in English and Russian', async () => {
    const bus = new EventBus();
    const scope = new ObservableScope();
    const store = createRoot(() =>
      createGroupCallStore<GroupMediaSession>(bus, scope, {
        self: { userId: 'u1', deviceId: 1, displayName: 'Ada' },
        sfu: { request: () => Promise.reject(refused('too_many_calls')), events$: NEVER, connected$: of(true) },
        keys: {} as never,
        ringChannel: { send: async () => undefined },
        incomingSignals$: NEVER,
        createMedia: () => ({}) as never,
        clock: new ManualClock(),
      }),
    );
    bus.publish('call.group-requested', { groupId: 'g1', name: 'Team', members: [{ userId: 'u2', displayName: 'Grace' }], media: 'audio' });
    await expect.poll(() => store.state.failure).toBe('too_many_calls');
    expect(messagesFor('en').linkFailure(store.state.failure!)).toBe('You have too many group calls open. End one before starting another.');
    expect(messagesFor('ru').linkFailure(store.state.failure!)).toBe('У вас открыто слишком много групповых звонков. Завершите один, прежде чем начинать новый.');
    scope.end();
  });
});

describe('group call store: the app ending', () => {
  it('starts no call for a create the server answers after the app ended, and leaves no bus listener', async () => {
    const bus = new EventBus();
    const scope = new ObservableScope();
    let answer: (value: { callId: string }) => void = () => undefined;
    const requested = new Promise<void>((resolve) => {
      const request = () => {
        resolve();
        return new Promise<never>((ok) => (answer = ok as never));
      };
      createRoot(() =>
        createGroupCallStore<GroupMediaSession>(bus, scope, {
          self: { userId: 'u1', deviceId: 1, displayName: 'Ada' },
          sfu: { request, events$: NEVER, connected$: of(true) },
          keys: {} as never,
          ringChannel: { send: async () => undefined },
          incomingSignals$: NEVER,
          createMedia: () => {
            throw new Error('no media may be made for an app that is gone');
          },
          clock: new ManualClock(),
        }),
      );
    });
    bus.publish('call.group-requested', { groupId: 'g1', name: 'Team', members: [{ userId: 'u2', displayName: 'Grace' }], media: 'audio' });
    await requested;
    scope.end();
    answer({ callId: 'k1' });
    // The answer's continuation (and any call it would start) runs on later microtasks.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    expect(bus.state('call.state').value.phase).toBe('idle');
    const listened = [...bus.inspectSubjects!()].filter(([, subject]) => subject.observed).map(([type]) => type);
    expect(listened).toEqual([]);
  });
});

describe('group call store: call entries of rings not taken here', () => {
  function ringing() {
    const bus = new EventBus();
    const scope = new ObservableScope();
    const clock = new ManualClock();
    const signals = new Subject<{ callId: string; from: { userId: string; deviceId: number }; signal: unknown }>();
    const store = createRoot(() =>
      createGroupCallStore<GroupMediaSession>(bus, scope, {
        self: { userId: 'u1', deviceId: 1, displayName: 'Ada' },
        sfu: { request: () => new Promise<never>(() => undefined), events$: NEVER, connected$: of(true) },
        keys: {} as never,
        ringChannel: { send: async () => undefined },
        incomingSignals$: signals,
        createMedia: () => ({}) as never,
        clock,
      }),
    );
    const entries: CallEntry[] = [];
    bus.on('call.entry').subscribe((entry) => entries.push(entry));
    const ring = (callId: string) =>
      signals.next({
        callId,
        from: { userId: 'u2', deviceId: 1 },
        signal: { kind: 'group-ring', groupId: 'g1', groupName: 'Climbers', media: 'video', callerName: 'Grace', members: [{ userId: 'u2', displayName: 'Grace' }] },
      });
    return { store, clock, entries, ring, scope };
  }

  it('a declined group call is in the history as declined, a group call nobody took here as missed once the ring times out', () => {
    const { store, clock, entries, ring, scope } = ringing();
    ring('k1');
    expect(store.state.incoming?.callId).toBe('k1');
    store.decline();
    ring('k2');
    clock.advance(RING_TIMEOUT_MS - 1);
    expect(store.state.incoming?.callId).toBe('k2');
    expect(entries).toHaveLength(1);
    clock.advance(1);
    expect(store.state.incoming).toBeNull();
    expect(entries.map((e) => [e.callId, e.kind, e.conversationId, e.direction, e.media, e.outcome, e.durationMs])).toEqual([
      ['k1', 'group', 'g1', 'incoming', 'video', 'declined', null],
      ['k2', 'group', 'g1', 'incoming', 'video', 'missed', null],
    ]);
    scope.end();
  });
});
