import { callLinkUrl } from '@parley/call-links';
import { useObservable } from '@parley/bus-react';
import type { EventBus } from '@parley/event-bus';
import type { ScheduledCall, ScheduledCallApi } from '@parley/messenger';
import { joinWindow } from '@parley/messenger/page';
import { Suspense, useMemo, useState } from 'react';
import { map } from 'rxjs';
import { icsFileName, scheduledCallIcs } from './ics-calendar.js';
import { useNowAt } from './now-at.js';
import type { ChatMessages } from './messages.js';
import { useScheduleEnvironment } from './schedule-environment.js';
import { ScheduledCallCard } from './ScheduledCallCard.js';
import { LazyPartBoundary } from './LazyPartBoundary.js';
import { LazyScheduleCallForm } from './lazy-schedule-call-form.js';

const NO_CALLS: readonly ScheduledCall[] = [];

/** The link a scheduled call's Join opens, as shared and as put in the calendar file. */
export function joinLink(origin: string, call: Pick<ScheduledCall, 'linkSecret'>): string {
  return callLinkUrl(origin, call.linkSecret);
}

/**
 * A conversation's scheduled calls, pinned under its header, with the form to schedule one (opened
 * from the header's "Schedule call") or to edit one. Join publishes `call.link-opened` for the call
 * app; the calendar file downloads through a Blob link.
 */
export function ScheduledCallsPanel(props: {
  bus: EventBus;
  schedules: ScheduledCallApi;
  conversationId: string;
  selfId: string;
  /** Display names of who a new call invites. */
  invitees: readonly string[];
  t: ChatMessages;
  locale: string;
  callsAvailable: boolean;
  formOpen: boolean;
  onCloseForm: () => void;
}) {
  const { bus, schedules, conversationId, selfId, t, locale } = props;
  const env = useScheduleEnvironment();
  const calls$ = useMemo(() => schedules.all$.pipe(map((all) => all.filter((call) => call.conversationId === conversationId))), [schedules, conversationId]);
  const calls = useObservable(calls$, NO_CALLS);
  const instants = useMemo(() => calls.flatMap((call) => [joinWindow(call).opensAt, joinWindow(call).closesAt]), [calls]);
  const now = useNowAt(env.clock, instants);
  const [editing, setEditing] = useState<string | null>(null);
  const [permission, setPermission] = useState(() => env.notifications?.permission() ?? 'denied');
  const shown = calls.filter((call) => call.endsAt > now);
  const editedCall = shown.find((call) => call.scheduleId === editing);

  const askForNotifications = () => {
    env.notifications
      ?.request()
      .then(setPermission)
      .catch(() => {});
  };
  const submit = (draft: Parameters<ScheduledCallApi['schedule']>[1], notify: boolean) => {
    // Asked from the submit click itself: browsers ignore requests outside a user gesture.
    if (notify) askForNotifications();
    return editedCall ? schedules.edit(editedCall.scheduleId, draft) : schedules.schedule(conversationId, draft);
  };

  const form = (props.formOpen || editedCall) && (
    <LazyPartBoundary fallback={<p role="alert">{t.partNotLoaded}</p>}>
      <Suspense fallback={null}>
        <LazyScheduleCallForm
          key={editedCall?.scheduleId ?? 'new'}
          t={t}
          locale={locale}
          timeZone={env.timeZone}
          // The form's defaults start from the clock's time now, not from the last Join boundary.
          now={env.clock.now()}
          invitees={props.invitees}
          {...(editedCall ? { editing: editedCall } : {})}
          offerNotifications={permission === 'default'}
          onSubmit={submit}
          onClose={() => {
            setEditing(null);
            if (props.formOpen) props.onCloseForm();
          }}
        />
      </Suspense>
    </LazyPartBoundary>
  );
  if (shown.length === 0 && !form) return null;
  return (
    <section className="scheduled-calls" aria-label={t.scheduledCalls} data-testid="scheduled-calls">
      {form}
      {shown.length > 0 && (
        <ul className="scheduled-calls__list">
          {shown.map((call) => (
            <ScheduledCallCard
              key={call.scheduleId}
              call={call}
              t={t}
              locale={locale}
              timeZone={env.timeZone}
              now={now}
              isOrganizer={call.organizer.userId === selfId}
              callsAvailable={props.callsAvailable}
              onJoin={() => bus.publish('call.link-opened', { secret: call.linkSecret })}
              onDownload={() => env.download(icsFileName(call), scheduledCallIcs(call, joinLink(env.linkOrigin, call)), 'text/calendar;charset=utf-8')}
              onCopyLink={() => env.copy(joinLink(env.linkOrigin, call))}
              onEdit={() => setEditing(call.scheduleId)}
              onCancel={() => schedules.cancel(call.scheduleId)}
            />
          ))}
        </ul>
      )}
      {shown.length > 0 && permission === 'default' && (
        <button type="button" className="scheduled-calls__notify" onClick={askForNotifications} data-testid="scheduled-calls-notify">
          {t.enableNotifications}
        </button>
      )}
    </section>
  );
}
