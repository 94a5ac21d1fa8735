import { type BusEvent, type GroupRing, parseGroupRing } from '@parley/contracts';
import type { EventBus } from '@parley/event-bus';
import { type Observable, filter, map } from 'rxjs';

/**
 * Group rings for `selfId` on the bus. Read from the bus's stream of every event, not `on(...)`:
 * listening there would count as hearing call signaling, and the bus holds those moments for the
 * call app only while nobody hears them (it loads after the chat).
 */
export function groupRingsFor(events: EventBus, selfId: string): Observable<{ callId: string; ring: GroupRing }> {
  return events.events$.pipe(
    filter((event): event is BusEvent<'content.call-signaling'> => event.type === 'content.call-signaling'),
    filter(({ payload }) => payload.from.userId !== selfId),
    map(({ payload }) => ({ callId: payload.content.callId, ring: parseGroupRing(payload.content.signal) })),
    // A ring that moves this user's own 1:1 call to a group does not ring (the call app joins at once).
    filter((rung): rung is { callId: string; ring: GroupRing } => rung.ring !== null && rung.ring.moveFrom === undefined),
  );
}

