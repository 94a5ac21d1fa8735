import { BehaviorSubject, type Observable, type Observer, Subject, Subscription, combineLatest, map, skip } from 'rxjs';
import { type Behavior, readOnly } from './behavior.js';

/** The current values of a list of Behaviors, in order. */
type ValuesOf<B extends readonly Behavior<unknown>[]> = { readonly [K in keyof B]: B[K] extends Behavior<infer T> ? T : never };

/**
 * Owns subscriptions for something with a lifetime (a mounted remote, a call, one join of a call).
 * Ending the scope unsubscribes everything bound to it and ends its child scopes, so nothing a
 * destroyed remote or a finished call subscribed lives on.
 */
export class ObservableScope {
  private readonly subscriptions = new Subscription();
  private readonly ended = new Subject<void>();

  /** Emits once when the scope ends. */
  readonly ended$: Observable<void> = this.ended.asObservable();

  get isEnded(): boolean {
    return this.subscriptions.closed;
  }

  /** Subscribes `observer` to `source$` for the lifetime of this scope. */
  bind<T>(source$: Observable<T>, observer: Partial<Observer<T>> | ((value: T) => void)): void {
    this.refuseIfEnded('bind');
    this.subscriptions.add(source$.subscribe(observer));
  }

  /** Runs `teardown` when the scope ends. */
  onEnd(teardown: () => void): void {
    this.refuseIfEnded('onEnd');
    this.subscriptions.add(teardown);
  }

  /**
   * A scope for a part of this one's lifetime (one join of a call, one ringing): it ends when this
   * scope ends, or earlier on its own, and is then forgotten here.
   */
  child(): ObservableScope {
    this.refuseIfEnded('child');
    const child = new ObservableScope();
    const endChild = () => child.end();
    this.subscriptions.add(endChild);
    child.subscriptions.add(() => {
      if (!this.isEnded) this.subscriptions.remove(endChild);
    });
    return child;
  }

  /**
   * The latest value of `source$` while this scope lasts, `initial` until it emits: a Behavior whose
   * current value can always be read, and that emits only changes. It stops following `source$`
   * when the scope ends (its watchers complete) and keeps its last value.
   */
  behavior<T>(source$: Observable<T>, initial: T): Behavior<T> {
    this.refuseIfEnded('behavior');
    const subject = new BehaviorSubject<T>(initial);
    this.subscriptions.add(
      source$.subscribe((value) => {
        if (!Object.is(value, subject.getValue())) subject.next(value);
      }),
    );
    this.subscriptions.add(() => subject.complete());
    return readOnly(subject);
  }

  /**
   * A Behavior computed from others: `compute` of their current values, recomputed whenever one of
   * them changes (a new value only when the result differs), and readable at once.
   */
  derive<const B extends readonly Behavior<unknown>[], T>(inputs: B, compute: (...values: ValuesOf<B>) => T): Behavior<T> {
    const current = () => compute(...(inputs.map((input) => input.value) as unknown as ValuesOf<B>));
    // The inputs are Behaviors: combineLatest emits their current values at once, already taken as `initial`.
    const changes$ = combineLatest(inputs).pipe(
      skip(1),
      map((values) => compute(...(values as unknown as ValuesOf<B>))),
    );
    return this.behavior(changes$, current());
  }

  end(): void {
    if (this.isEnded) return;
    this.subscriptions.unsubscribe();
    this.ended.next();
    this.ended.complete();
  }

  private refuseIfEnded(what: string): void {
    if (this.isEnded) throw new Error(`ObservableScope: ${what} after end`);
  }
}
