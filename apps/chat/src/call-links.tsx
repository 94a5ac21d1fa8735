import { useObservable } from '@parley/bus-react';
import type { EventBus } from '@parley/event-bus';
import { Link } from 'lucide-react';
import { useMemo } from 'react';
import { type Observable, of } from 'rxjs';
import type { ChatMessages } from './messages.js';
import type { MenuEntry } from './OptionsMenu.js';

/**
 * Whether the call app can show call links now (`call.links-available`). A shell older than that
 * state has a bus that throws on it (the chat ships apart from the shell): there, never.
 */
function linksAvailable$(bus: EventBus): Observable<boolean> {
  try {
    return bus.state('call.links-available');
  } catch {
    // An older shell: see above.
    return of(false);
  }
}

/**
 * What a "Call links" menu item does: asks the call app to show its call-links dialog
 * (`call.links-requested`). Null while no call app says it can answer, so the item is not offered.
 */
export function useCallLinks(bus: EventBus): (() => void) | null {
  const available$ = useMemo(() => linksAvailable$(bus), [bus]);
  const available = useObservable(available$, false);
  return useMemo(
    () =>
      available
        ? () => {
            try {
              bus.publish('call.links-requested', {});
            } catch {
              // Only offered while the call app said it answers, on a bus that knows the event; a
              // shell swapped under the page since then simply gets no request.
            }
          }
        : null,
    [available, bus],
  );
}

/**
 * "Call links" as an icon button (the conversation list's header, where a WhatsApp or Signal user
 * looks for their calls), or nothing while the call app cannot show them (see useCallLinks).
 */
export function CallLinksButton({ t, openCallLinks }: { t: ChatMessages; openCallLinks: (() => void) | null }) {
  if (!openCallLinks) return null;
  return (
    <button type="button" className="icon-button" aria-label={t.callLinks} title={t.callLinks} aria-haspopup="dialog" onClick={openCallLinks} data-testid="list-call-links">
      <Link aria-hidden="true" size={20} />
    </button>
  );
}

/** The "Call links" entry of a menu, or none while the call app cannot show them (see useCallLinks). */
export function callLinksEntries(t: ChatMessages, openCallLinks: (() => void) | null): MenuEntry[] {
  return openCallLinks ? [{ label: t.callLinks, icon: <Link aria-hidden="true" size={18} />, onSelect: openCallLinks, testId: 'open-call-links' }] : [];
}
