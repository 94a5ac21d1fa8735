import { type BehaviorSubject, Observable } from 'rxjs';

/** A current value that can be read and watched but not written: the bus keeps the pen. */
export interface Behavior<T> extends Observable<T> {
  readonly value: T;
}

/** Wraps a BehaviorSubject so holders of the Behavior cannot call `next` on it. */
export function readOnly<T>(subject: BehaviorSubject<T>): Behavior<T> {
  const behavior = new Observable<T>((subscriber) => subject.subscribe(subscriber));
  return Object.defineProperty(behavior, 'value', { get: () => subject.getValue(), enumerable: true }) as Behavior<T>;
}
