import { SCHEDULED_CALL_DESCRIPTION_MAX_CHARS, SCHEDULED_CALL_MAX_DURATION_MS, SCHEDULED_CALL_TITLE_MAX_CHARS } from '@parley/contracts';
import type { ScheduledCall, ScheduledCallDraft } from '@parley/messenger';
import { type FormEvent, useId, useState } from 'react';
import type { ChatMessages } from './messages.js';
import { describeZone, utcToZonedLocal, zonedLocalToUtc } from './zoned-time.js';
import { focusOnMount } from './focus-on-mount.js';

const HOUR = 3_600_000;

/** The draft the fields describe, or null when they do not make a call (no title, end not after start, longer than a day). */
export function draftFrom(fields: { title: string; description: string; start: string; end: string }, timeZone: string): ScheduledCallDraft | null {
  const title = fields.title.trim();
  const startsAt = zonedLocalToUtc(fields.start, timeZone);
  const endsAt = zonedLocalToUtc(fields.end, timeZone);
  if (title.length === 0 || startsAt === null || endsAt === null) return null;
  if (endsAt <= startsAt || endsAt - startsAt > SCHEDULED_CALL_MAX_DURATION_MS) return null;
  return { title, description: fields.description.trim(), startsAt, endsAt, timeZone };
}

/**
 * Create or edit a scheduled call: title, description, start and end entered in the organizer's
 * own zone (named on the form), the invitees (the conversation's members), and a checkbox that
 * asks for notification permission on submit (a click, never on page load).
 */
export function ScheduleCallForm(props: {
  t: ChatMessages;
  locale: string;
  /** The organizer's IANA zone: the fields are wall-clock times in it. */
  timeZone: string;
  now: number;
  /** Who will be invited (display names). */
  invitees: readonly string[];
  /** The call being edited; a new one when absent. */
  editing?: ScheduledCall;
  /** Whether to offer the notification checkbox (permission not decided yet). */
  offerNotifications: boolean;
  onSubmit: (draft: ScheduledCallDraft, notify: boolean) => Promise<unknown>;
  onClose: () => void;
}) {
  const { t, locale, timeZone, now, invitees, editing } = props;
  const id = useId();
  const [fields, setFields] = useState(() => {
    if (editing) {
      return { title: editing.title, description: editing.description, start: utcToZonedLocal(editing.startsAt, timeZone), end: utcToZonedLocal(editing.endsAt, timeZone) };
    }
    // The next full hour, for half an hour.
    const start = Math.ceil((now + 1) / HOUR) * HOUR;
    return { title: '', description: '', start: utcToZonedLocal(start, timeZone), end: utcToZonedLocal(start + HOUR / 2, timeZone) };
  });
  const [notify, setNotify] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const draft = draftFrom(fields, timeZone);
  const set = (name: keyof typeof fields) => (event: { target: { value: string } }) => setFields((current) => ({ ...current, [name]: event.target.value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    if (draft === null) {
      setError(t.scheduleInvalid);
      return;
    }
    setBusy(true);
    setError(null);
    props
      .onSubmit(draft, notify)
      .then(() => props.onClose())
      .catch(() => setError(t.scheduleFailed))
      .finally(() => setBusy(false));
  };

  const heading = editing ? t.editCallTitle : t.scheduleCallTitle;
  return (
    <form className="schedule-form" onSubmit={submit} aria-labelledby={`${id}-heading`} data-testid="schedule-form">
      <h3 id={`${id}-heading`}>{heading}</h3>
      <label htmlFor={`${id}-title`}>{t.callTitle}</label>
      <input
        id={`${id}-title`}
        value={fields.title}
        onChange={set('title')}
        maxLength={SCHEDULED_CALL_TITLE_MAX_CHARS}
        required
        ref={focusOnMount}
        data-testid="schedule-title"
      />
      <label htmlFor={`${id}-description`}>{t.callDescription}</label>
      <textarea
        id={`${id}-description`}
        value={fields.description}
        onChange={set('description')}
        maxLength={SCHEDULED_CALL_DESCRIPTION_MAX_CHARS}
        rows={2}
        data-testid="schedule-description"
      />
      <div className="schedule-form__times">
        <span>
          <label htmlFor={`${id}-start`}>{t.callStarts}</label>{' '}
          <input id={`${id}-start`} type="datetime-local" value={fields.start} onChange={set('start')} required data-testid="schedule-start" />
        </span>
        <span>
          <label htmlFor={`${id}-end`}>{t.callEnds}</label>{' '}
          <input id={`${id}-end`} type="datetime-local" value={fields.end} onChange={set('end')} required data-testid="schedule-end" />
        </span>
      </div>
      <p className="schedule-form__zone" data-testid="schedule-zone">
        {t.timesInZone(describeZone(zonedLocalToUtc(fields.start, timeZone) ?? now, timeZone, locale))}
      </p>
      <p className="schedule-form__invitees">{t.invitees(invitees.join(', '))}</p>
      {props.offerNotifications && (
        <label className="schedule-form__notify">
          <input type="checkbox" checked={notify} onChange={(event) => setNotify(event.target.checked)} data-testid="schedule-notify" /> {t.notifyMe}
        </label>
      )}
      <div className="schedule-form__actions">
        <button type="submit" disabled={busy} data-testid="schedule-save">
          {busy ? t.saving : editing ? t.saveChanges : t.saveSchedule}
        </button>
        <button type="button" onClick={props.onClose} disabled={busy}>
          {t.cancel}
        </button>
      </div>
      {error && (
        <p role="alert" className="find-user__error">
          {error}
        </p>
      )}
    </form>
  );
}
