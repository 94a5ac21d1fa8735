import type { Behavior } from '@parley/event-bus';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { Observable } from 'rxjs';

/**
 * Reads a bus Behavior in a React component and re-renders when it changes. The subscription lives
 * exactly as long as the component, so unmounting a remote's React root ends it.
 *
 * With `select`, the component reads only part of the value and re-renders only when that part
 * changes (compared with `Object.is`, so select a primitive or a stable reference): a busy Behavior
 * such as the call state then does not re-render a whole app during call set-up.
 */
export function useBehavior<T>(behavior: Behavior<T>): T;
export function useBehavior<T, S>(behavior: Behavior<T>, select: (value: T) => S): S;
export function useBehavior<T, S>(behavior: Behavior<T>, select?: (value: T) => S): T | S {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = behavior.subscribe(onChange);
      return () => subscription.unsubscribe();
    },
    [behavior],
  );
  const current = () => (select ? select(behavior.value) : behavior.value);
  // The bus holds the current value wherever it renders, so the server snapshot is the same read.
  return useSyncExternalStore(subscribe, current, current);
}

/**
 * The latest value of an Observable in a React component (`initial` until it first emits). The
 * subscription lives exactly as long as the component and is renewed when `source$` changes, so
 * pass a stable Observable (memoize one built from props).
 */
export function useObservable<T>(source$: Observable<T>, initial: T): T {
  const [value, setValue] = useState<T>(initial);
  useEffect(() => {
    const subscription = source$.subscribe({ next: (next) => setValue(() => next) });
    return () => subscription.unsubscribe();
  }, [source$]);
  return value;
}
