import type { EventBus } from '@parley/event-bus';
import type { ScheduledCall, ScheduledCallApi } from '@parley/messenger';
import { canJoin, ScheduledCallReminders } from '@parley/messenger/page';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { ChatMessages } from './messages.js';
import { useScheduleEnvironment } from './schedule-environment.js';
import { useNowAt } from './now-at.js';

/**
 * Reminders at the start of every scheduled call this device knows (any conversation): a visible
 * reminder with the title and Join, and a system notification when the user allowed them. Timers
 * run on the environment's clock. A reminder goes when dismissed, cancelled or over.
 */
export function CallReminders(props: { bus: EventBus; schedules: ScheduledCallApi; t: ChatMessages; callsAvailable: boolean }) {
  const { bus, schedules, t, callsAvailable } = props;
  const env = useScheduleEnvironment();
  const [due, setDue] = useState<readonly ScheduledCall[]>([]);
  const [firedAt, setFiredAt] = useState(Number.NEGATIVE_INFINITY);
  // The latest text for the notification, without restarting the timers on a language change.
  const text = useRef(t);
  text.current = t;

  useEffect(() => {
    const reminders = new ScheduledCallReminders(env.clock, ({ call, at }) => {
      setFiredAt(at);
      setDue((list) => [...list.filter((c) => c.scheduleId !== call.scheduleId), call]);
      if (env.notifications?.permission() === 'granted') {
        try {
          env.notifications.show(call.title, text.current.notificationBody);
        } catch {
          // Some browsers allow notifications only from a service worker: the in-app one stays.
        }
      }
    });
    const subscription = schedules.all$.subscribe((calls) => {
      reminders.update(calls);
      // An edit or a cancellation changes a reminder already shown.
      const latest = new Map(calls.map((call) => [call.scheduleId, call]));
      setDue((list) => list.flatMap((call) => (latest.get(call.scheduleId)?.status === 'scheduled' ? [latest.get(call.scheduleId)!] : [])));
    });
    return () => {
      subscription.unsubscribe();
      reminders.close();
    };
  }, [schedules, env]);

  const ends = useMemo(() => due.map((call) => call.endsAt), [due]);
  const now = Math.max(useNowAt(env.clock, ends), firedAt);
  const shown = due.filter((call) => call.endsAt > now);
  if (shown.length === 0) return null;
  return (
    <aside className="call-reminders" aria-label={t.reminderLabel} data-testid="call-reminders">
      {shown.map((call) => (
        <div key={call.scheduleId} className="call-reminder" role="alert" data-testid="call-reminder">
          <span className="call-reminder__text">{t.reminder(call.title)}</span>{' '}
          <button
            type="button"
            onClick={() => bus.publish('call.link-opened', { secret: call.linkSecret })}
            disabled={!callsAvailable || !canJoin(call, now)}
            aria-label={t.joinCall(call.title)}
            data-testid="call-reminder-join"
          >
            {t.join}
          </button>{' '}
          <button type="button" onClick={() => setDue((list) => list.filter((c) => c.scheduleId !== call.scheduleId))} data-testid="call-reminder-dismiss">
            {t.dismiss}
          </button>
        </div>
      ))}
    </aside>
  );
}
