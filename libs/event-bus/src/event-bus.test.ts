import { IDLE_CALL_STATE, type CallRequest } from '@parley/contracts';
import { ManualClock } from '@parley/clock/testing';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { EventBus, HELD_FOR_MS } from './event-bus.js';
import { ObservableScope } from './observable-scope.js';

const request = (media: 'audio' | 'video'): CallRequest => ({
  conversationId: 'c1',
  peer: { userId: 'u2', displayName: 'Ada' },
  media,
});

function scheduler() {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('EventBus moments', () => {
  it('delivers a moment to listeners subscribed at the time, not to late ones', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const bus = new EventBus();
      const a = request('audio');
      const v = request('video');
      cold('-a-v|', { a, v }).subscribe((req) => bus.publish('call.requested', req));
      expectObservable(bus.on('call.requested')).toBe('-a-v', { a, v });
      expectObservable(bus.on('call.requested'), '--^').toBe('---v', { v });
    });
  });

  it('stamps every event with its contract version on events$', () => {
    const bus = new EventBus();
    const seen: unknown[] = [];
    bus.events$.subscribe((event) => seen.push(event));
    bus.publish('call.requested', request('audio'));
    bus.set('call.available', true);
    expect(seen).toEqual([
      { type: 'call.requested', version: 1, payload: request('audio') },
      { type: 'call.available', version: 1, payload: true },
    ]);
  });

  it('refuses to publish a state as a moment and the reverse', () => {
    const bus = new EventBus();
    expect(() => bus.publish('call.available' as never, true as never)).toThrow(/is a state/);
    expect(() => bus.set('call.requested' as never, request('audio') as never)).toThrow(/is a event/);
    expect(() => bus.on('no.such.event' as never)).toThrow(/unknown event type/);
  });
});

describe('EventBus moments for the late-loading call app', () => {
  it('holds a call moment published while nobody listens and hands it to each listener that comes within the hold, before live ones', () => {
    const clock = new ManualClock(1_000);
    const bus = new EventBus(clock);
    bus.publish('call.requested', request('audio'));
    clock.advance(HELD_FOR_MS - 1);
    const engine: CallRequest[] = [];
    const panel: CallRequest[] = [];
    bus.on('call.requested').subscribe((req) => engine.push(req));
    bus.on('call.requested').subscribe((req) => panel.push(req));
    // Not inside subscribe (a listener may still be setting itself up), but a moment later; a
    // live moment meanwhile waits behind the held one.
    expect(engine).toEqual([]);
    bus.publish('call.requested', request('video'));
    expect(engine).toEqual([]);
    clock.advance(0);
    expect(engine.map((r) => r.media)).toEqual(['audio', 'video']);
    expect(panel.map((r) => r.media)).toEqual(['audio', 'video']);
  });

  it('drops a held moment once the hold is over', () => {
    const clock = new ManualClock(1_000);
    const bus = new EventBus(clock);
    bus.publish('call.requested', request('audio'));
    clock.advance(HELD_FOR_MS);
    const seen: CallRequest[] = [];
    bus.on('call.requested').subscribe((req) => seen.push(req));
    clock.advance(0);
    expect(seen).toEqual([]);
  });

  it('holds nothing that had a listener when published, and no moment outside the call app\'s', () => {
    const clock = new ManualClock(1_000);
    const bus = new EventBus(clock);
    const early = bus.on('call.requested').subscribe();
    bus.publish('call.requested', request('audio'));
    early.unsubscribe();
    const text = { from: { userId: 'u2', deviceId: 1 }, messageId: 'm1', content: { type: 'text', body: 'hi' } } as never;
    bus.publish('content.text', text);
    const late: unknown[] = [];
    bus.on('call.requested').subscribe((req) => late.push(req));
    bus.on('content.text').subscribe((delivered) => late.push(delivered));
    clock.advance(0);
    expect(late).toEqual([]);
  });

  it('hands nothing to a listener that left before the held moments were due', () => {
    const clock = new ManualClock(1_000);
    const bus = new EventBus(clock);
    bus.publish('call.requested', request('audio'));
    const seen: CallRequest[] = [];
    bus.on('call.requested').subscribe((req) => seen.push(req)).unsubscribe();
    clock.advance(0);
    expect(seen).toEqual([]);
  });
});

describe('EventBus states', () => {
  it('gives a late subscriber the current value first, then changes only', () => {
    scheduler().run(({ cold, expectObservable }) => {
      const bus = new EventBus();
      cold('-t-t-f', { t: true, f: false }).subscribe((value) => bus.set('call.available', value));
      expectObservable(bus.state('call.available')).toBe('ft---f', { t: true, f: false });
      expectObservable(bus.state('call.available'), '--^').toBe('--t--f', { t: true, f: false });
    });
  });

  it('starts every state at its contract initial value', () => {
    const bus = new EventBus();
    expect(bus.state('call.state').value).toBe(IDLE_CALL_STATE);
    expect(bus.state('relay.status').value).toBe('closed');
    expect(bus.state('session.current').value).toBeNull();
  });

  it('hands out a Behavior that cannot be written through', () => {
    const bus = new EventBus();
    const available = bus.state('call.available');
    expect('next' in available).toBe(false);
    bus.set('call.available', true);
    expect(available.value).toBe(true);
    expect(() => {
      (available as unknown as { value: boolean }).value = false;
    }).toThrow(TypeError);
    expect(available.value).toBe(true);
  });
});

describe('ObservableScope', () => {
  it('ends every subscription bound to it, leaving the subjects without observers', () => {
    const bus = new EventBus();
    const scope = new ObservableScope();
    const received: CallRequest[] = [];
    scope.bind(bus.on('call.requested'), (req) => received.push(req));
    scope.bind(bus.state('call.available'), () => {});
    const subjects = bus.inspectSubjects!();
    expect(subjects.get('call.requested')?.observers.length).toBe(1);
    expect(subjects.get('call.available')?.observers.length).toBe(1);

    bus.publish('call.requested', request('audio'));
    scope.end();
    bus.publish('call.requested', request('video'));

    expect(received).toEqual([request('audio')]);
    expect(subjects.get('call.requested')?.observers.length).toBe(0);
    expect(subjects.get('call.available')?.observers.length).toBe(0);
    expect(scope.isEnded).toBe(true);
  });

  it('runs teardowns once, emits ended$ once and refuses new work after the end', () => {
    const scope = new ObservableScope();
    let teardowns = 0;
    let ends = 0;
    scope.onEnd(() => (teardowns += 1));
    scope.ended$.subscribe(() => (ends += 1));
    scope.end();
    scope.end();
    expect([teardowns, ends]).toEqual([1, 1]);
    expect(() => scope.bind(new EventBus().on('call.requested'), () => {})).toThrow(/after end/);
  });
});
