import {
  BUS_EVENTS,
  type BusEvent,
  type BusEventType,
  INITIAL_STATES,
  type MomentType,
  type PayloadOf,
  type StateType,
} from '@parley/contracts';
import { type Clock, schedule, systemClock } from '@parley/clock';
import { BehaviorSubject, Observable, type Observer, Subject, filter } from 'rxjs';
import { type Behavior, readOnly } from './behavior.js';

/**
 * Moments for the call app, which the shell loads only after the chat (off the critical path): a
 * call offer or a group call key delivered while the page starts, or a call the user asked for in
 * those seconds, must still reach it. Published while nobody listens to their type, they are held
 * and handed to each listener that subscribes within HELD_FOR_MS of them — a moment after it
 * subscribed, as if they had just arrived, since a listener may subscribe while it is still setting
 * itself up (the call engine does in its constructor). Other moments stay fire-and-forget: nothing
 * else is published before its listener exists.
 */
export const HELD_WHILE_UNHEARD: ReadonlySet<MomentType> = new Set<MomentType>([
  'content.call-signaling',
  'content.group-key',
  'call.requested',
  'call.group-requested',
  'call.link-opened',
]);
/** How long a held moment waits for listeners: about as long as a call rings. */
export const HELD_FOR_MS = 30_000;
/** Moments held per type at most (the oldest go first). */
const HELD_PER_TYPE = 64;

interface HeldMoment {
  readonly at: number;
  readonly payload: unknown;
}

/** Defined by the app's build: true only in builds for the browser tests (tools/mf-build/test-hooks.mjs). */
declare const __PARLEY_TEST_HOOKS__: boolean | undefined;

/**
 * The typed bus the shell and its remotes talk over. Moments are fire-and-forget; states keep a
 * current value that late subscribers read first. Every event carries its contract version.
 */
export class EventBus {
  private readonly moments = new Map<MomentType, Subject<unknown>>();
  private readonly states = new Map<StateType, BehaviorSubject<unknown>>();
  private readonly behaviors = new Map<StateType, Behavior<unknown>>();
  private readonly all = new Subject<BusEvent>();
  private readonly held = new Map<MomentType, HeldMoment[]>();

  /**
   * The underlying subjects, so tests can count real observers (RxJS's own `observers`), rather
   * than trusting a counter the bus keeps itself. A test hook: only in builds for the browser tests
   * and in unit tests that define PARLEY_TEST_HOOKS; production builds drop it as dead code.
   */
  declare readonly inspectSubjects?: () => ReadonlyMap<BusEventType | '*', Subject<unknown>>;

  constructor(private readonly clock: Clock = systemClock) {
    if (typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__) {
      (this as { inspectSubjects?: EventBus['inspectSubjects'] }).inspectSubjects = () => {
        const subjects = new Map<BusEventType | '*', Subject<unknown>>([['*', this.all as Subject<unknown>]]);
        for (const [type, subject] of this.moments) subjects.set(type, subject);
        for (const [type, subject] of this.states) subjects.set(type, subject);
        return subjects;
      };
    }
  }

  /** Every event and state change, in order, for diagnostics and telemetry. */
  readonly events$: Observable<BusEvent> = this.all.asObservable();

  /** Publishes a moment to whoever listens now. */
  publish<K extends MomentType>(type: K, payload: PayloadOf<K>): void {
    this.assertKind(type, 'event');
    this.all.next({ type, version: BUS_EVENTS[type].version, payload } as BusEvent);
    const subject = this.momentSubject(type);
    if (!subject.observed && HELD_WHILE_UNHEARD.has(type)) this.hold(type, payload);
    subject.next(payload);
  }

  /** Moments of one type, from now on (and those of HELD_WHILE_UNHEARD still held, first). */
  on<K extends MomentType>(type: K): Observable<PayloadOf<K>> {
    this.assertKind(type, 'event');
    const subject = this.momentSubject(type);
    if (!HELD_WHILE_UNHEARD.has(type)) return subject.asObservable() as Observable<PayloadOf<K>>;
    return new Observable<PayloadOf<K>>((subscriber) => {
      const held = this.stillHeld(type).map((moment) => moment.payload);
      if (!held.length) return subject.subscribe(subscriber as unknown as Observer<unknown>);
      // Live moments wait behind the held ones until those are handed over, so the order stays.
      let waiting: unknown[] | null = held;
      const live = subject.subscribe((payload) => (waiting ? waiting.push(payload) : subscriber.next(payload as PayloadOf<K>)));
      const cancel = schedule(this.clock, 0, () => {
        const due = waiting ?? [];
        waiting = null;
        for (const payload of due) if (!subscriber.closed) subscriber.next(payload as PayloadOf<K>);
      });
      return () => {
        cancel();
        live.unsubscribe();
      };
    });
  }

  /** Sets a state's current value; subscribers get it only when it changed. */
  set<K extends StateType>(type: K, value: PayloadOf<K>): void {
    this.assertKind(type, 'state');
    const subject = this.stateSubject(type);
    if (Object.is(subject.getValue(), value)) return;
    this.all.next({ type, version: BUS_EVENTS[type].version, payload: value } as BusEvent);
    subject.next(value);
  }

  /** A read-only view of a state. */
  state<K extends StateType>(type: K): Behavior<PayloadOf<K>> {
    this.assertKind(type, 'state');
    let behavior = this.behaviors.get(type);
    if (!behavior) {
      behavior = readOnly(this.stateSubject(type));
      this.behaviors.set(type, behavior);
    }
    return behavior as Behavior<PayloadOf<K>>;
  }

  /** Moments of one type with their versions, for consumers that check compatibility. */
  versioned<K extends MomentType>(type: K): Observable<BusEvent<K>> {
    return this.all.pipe(filter((event): event is BusEvent<K> => event.type === type));
  }

  private hold(type: MomentType, payload: unknown): void {
    const held = this.stillHeld(type);
    held.push({ at: this.clock.now(), payload });
    if (held.length > HELD_PER_TYPE) held.shift();
    this.held.set(type, held);
  }

  /** The held moments of `type` not yet too old (the older ones are dropped). */
  private stillHeld(type: MomentType): HeldMoment[] {
    const since = this.clock.now() - HELD_FOR_MS;
    const held = (this.held.get(type) ?? []).filter((moment) => moment.at > since);
    if (held.length) this.held.set(type, held);
    else this.held.delete(type);
    return held;
  }

  private momentSubject(type: MomentType): Subject<unknown> {
    let subject = this.moments.get(type);
    if (!subject) {
      subject = new Subject<unknown>();
      this.moments.set(type, subject);
    }
    return subject;
  }

  private stateSubject(type: StateType): BehaviorSubject<unknown> {
    let subject = this.states.get(type);
    if (!subject) {
      subject = new BehaviorSubject<unknown>(INITIAL_STATES[type]);
      this.states.set(type, subject);
    }
    return subject;
  }

  private assertKind(type: BusEventType, kind: 'event' | 'state'): void {
    const spec = BUS_EVENTS[type];
    if (!spec) throw new Error(`EventBus: unknown event type "${String(type)}"`);
    if (spec.kind !== kind) throw new Error(`EventBus: "${type}" is a ${spec.kind}, not a ${kind}`);
  }
}
