import type { Clock } from '@parley/clock';
import { runAt } from '@parley/messenger/page';
import { useEffect, useState } from 'react';

/** The clock's time, read again at each of `instants` as it passes (a Join button that opens on time). */
export function useNowAt(clock: Clock, instants: readonly number[]): number {
  const [now, setNow] = useState(() => clock.now());
  const next = instants.filter((at) => at > now).reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
  useEffect(() => {
    if (next === Number.POSITIVE_INFINITY) return undefined;
    return runAt(clock, next, () => setNow(clock.now()));
  }, [clock, next]);
  return now;
}
