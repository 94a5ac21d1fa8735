import { useEffect, useState } from 'react';
import { type IdleScheduler, browserIdle } from '../idle.js';

/** How long an idle moment may be waited for once `ready`; a busy page still starts by then. */
export const IDLE_START_TIMEOUT_MS = 1_000;

/**
 * Whether something deferred may start: false until `ready`, then true from the page's next idle
 * moment on, for good (a later `ready` false does not stop what started). The shell starts the call
 * remote this way once the chat has settled, so the call app's code is not on the chat's critical
 * path (issue 20) and still listens for calls a moment later.
 */
export function useDeferredStart(ready: boolean, idle: IdleScheduler = browserIdle): boolean {
  const [started, setStarted] = useState(false);
  useEffect(() => {
    if (started || !ready) return;
    return idle.request(() => setStarted(true), IDLE_START_TIMEOUT_MS);
  }, [ready, started, idle]);
  return started;
}
