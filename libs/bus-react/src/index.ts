import type { Behavior } from '@parley/event-bus';
import { useCallback, useSyncExternalStore } from 'react';

/**
 * Reads a bus Behavior in a React component and re-renders when it changes. The subscription lives
 * exactly as long as the component, so unmounting a remote's React root ends it.
 */
export function useBehavior<T>(behavior: Behavior<T>): T {
  const subscribe = useCallback(
    (onChange: () => void) => {
      const subscription = behavior.subscribe(onChange);
      return () => subscription.unsubscribe();
    },
    [behavior],
  );
  const current = () => behavior.value;
  // The bus holds the current value wherever it renders, so the server snapshot is the same read.
  return useSyncExternalStore(subscribe, current, current);
}
