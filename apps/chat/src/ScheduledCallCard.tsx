import type { ScheduledCall } from '@parley/messenger';
import { canJoin, joinWindow } from '@parley/messenger/page';
import { useId, useState } from 'react';
import type { ChatMessages } from './messages.js';
import { describeZone, formatCallTimes } from './zoned-time.js';

/**
 * One scheduled call in a conversation: title, time in the viewer's zone (named), description,
 * Join while the join window is open, the calendar file, the link, and for its organizer Edit and
 * Cancel. A cancelled call says so and has no Join. Presentational: the panel wires the actions.
 */
export function ScheduledCallCard(props: {
  call: ScheduledCall;
  t: ChatMessages;
  locale: string;
  /** The viewer's IANA zone. */
  timeZone: string;
  now: number;
  isOrganizer: boolean;
  callsAvailable: boolean;
  onJoin: () => void;
  onDownload: () => void;
  onCopyLink: () => Promise<void>;
  onEdit: () => void;
  onCancel: () => Promise<unknown>;
}) {
  const { call, t, locale, timeZone, now, isOrganizer, callsAvailable } = props;
  const titleId = useId();
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState(false);
  const cancelled = call.status === 'cancelled';
  const joinable = canJoin(call, now);
  const over = now >= joinWindow(call).closesAt;
  const zoneAt = call.startsAt;
  const ownTimes = formatCallTimes(call.startsAt, call.endsAt, timeZone, locale);
  const organizerTimes = call.timeZone !== timeZone ? formatCallTimes(call.startsAt, call.endsAt, call.timeZone, locale) : null;
  const hint = cancelled ? null : over ? t.callOver : !joinable ? t.joinOpensSoon : !callsAvailable ? t.callsUnavailable : null;

  const cancel = () => {
    setBusy(true);
    setFailed(false);
    props
      .onCancel()
      .then(() => setConfirming(false))
      .catch(() => setFailed(true))
      .finally(() => setBusy(false));
  };

  return (
    <li
      className={`scheduled-call${cancelled ? ' scheduled-call--cancelled' : ''}`}
      aria-labelledby={titleId}
      data-testid="scheduled-call"
      data-status={call.status}
      data-revision={call.revision}
    >
      <h3 className="scheduled-call__title" id={titleId}>
        <span aria-hidden="true">📅 </span>
        <span className="visually-hidden">{t.scheduledCallLabel('')}</span>
        <span data-testid="scheduled-call-title">{call.title}</span>
        {cancelled && (
          <span className="scheduled-call__badge" data-testid="scheduled-call-cancelled">
            {' '}
            {t.cancelled}
          </span>
        )}
      </h3>
      <p className="scheduled-call__time" data-testid="scheduled-call-time">
        <time dateTime={new Date(call.startsAt).toISOString()}>{ownTimes}</time>
        <span className="scheduled-call__zone" data-testid="scheduled-call-zone">
          {' '}
          · {describeZone(zoneAt, timeZone, locale)}
        </span>
      </p>
      {organizerTimes && (
        <p className="scheduled-call__organizer-time" data-testid="scheduled-call-organizer-time">
          {t.organizerTime(organizerTimes, describeZone(zoneAt, call.timeZone, locale))}
        </p>
      )}
      {call.description && <p className="scheduled-call__description">{call.description}</p>}
      <p className="scheduled-call__organizer">{isOrganizer ? t.organizedByYou : t.organizedBy(call.organizer.displayName)}</p>
      {cancelled && <p className="scheduled-call__state">{t.callCancelled}</p>}
      {hint && <p className="scheduled-call__state">{hint}</p>}
      <div className="scheduled-call__actions">
        {!cancelled && (
          <button type="button" onClick={props.onJoin} disabled={!joinable || !callsAvailable} aria-label={t.joinCall(call.title)} data-testid="scheduled-call-join">
            {t.join}
          </button>
        )}
        <button type="button" onClick={props.onDownload} data-testid="scheduled-call-ics">
          {t.addToCalendar}
        </button>
        {!cancelled && (
          <button
            type="button"
            onClick={() => {
              props.onCopyLink().then(
                () => setCopied(true),
                () => setCopied(false),
              );
            }}
            data-testid="scheduled-call-copy"
          >
            {copied ? t.linkCopied : t.copyLink}
          </button>
        )}
        {isOrganizer && !cancelled && !confirming && (
          <>
            <button type="button" onClick={props.onEdit} data-testid="scheduled-call-edit">
              {t.editCall}
            </button>
            <button type="button" onClick={() => setConfirming(true)} data-testid="scheduled-call-cancel">
              {t.cancelCall}
            </button>
          </>
        )}
      </div>
      {confirming && !cancelled && (
        <div className="scheduled-call__confirm" role="group" aria-label={t.confirmCancel}>
          <p>{t.confirmCancel}</p>
          <button type="button" onClick={cancel} disabled={busy} data-testid="scheduled-call-confirm-cancel" autoFocus>
            {t.yesCancel}
          </button>
          <button type="button" onClick={() => setConfirming(false)} disabled={busy}>
            {t.keepCall}
          </button>
        </div>
      )}
      {failed && (
        <p role="alert" className="find-user__error">
          {t.scheduleFailed}
        </p>
      )}
    </li>
  );
}
