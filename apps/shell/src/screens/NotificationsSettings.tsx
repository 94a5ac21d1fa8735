import { Bell } from 'lucide-react';
import { useId, useState } from 'react';
import { notificationMessagesFor } from '../notifications/notification-messages.js';
import { readShowMessageText, writeShowMessageText } from '../notifications/notification-preferences.js';
import { type NotificationAvailability, notificationAvailability, requestNotifications } from '../notifications/notification-surface.js';

/** How the section reads and asks for the permission (the browser's unless a test gives its own). */
export interface NotificationPermissionPort {
  availability(): NotificationAvailability;
  /** Asks the browser; called only from the button's click. */
  request(): Promise<NotificationAvailability>;
}

const browserPermission: NotificationPermissionPort = { availability: notificationAvailability, request: requestNotifications };

const STATE_TEXT = { granted: 'on', default: 'off', denied: 'blocked', unsupported: 'unsupported' } as const;

/**
 * Settings → Notifications: why they help, where they stand, the button that asks the browser
 * (the only place Parley ever asks), and whether they show the message text.
 */
export function NotificationsSettings(props: { locale: string; permission?: NotificationPermissionPort; storage?: Storage }) {
  const { locale, permission = browserPermission, storage = localStorage } = props;
  const t = notificationMessagesFor(locale);
  const titleId = useId();
  const helpId = useId();
  const [availability, setAvailability] = useState(permission.availability);
  const [showText, setShowText] = useState(() => readShowMessageText(storage));
  const enable = () => {
    void permission.request().then(setAvailability, () => setAvailability(permission.availability()));
  };
  const chooseShowText = (show: boolean) => {
    writeShowMessageText(storage, show);
    setShowText(show);
  };
  return (
    <section className="settings__section" aria-labelledby={titleId} data-testid="notifications-settings">
      <h3 id={titleId}>{t.notifications}</h3>
      <small className="settings__help">{t.notificationsHelp}</small>
      <p role="status" data-testid="notifications-state" data-state={availability}>
        {t.notificationsState[STATE_TEXT[availability]]}
      </p>
      {availability === 'default' && (
        <button type="button" className="button settings__row-button" onClick={enable}>
          <Bell aria-hidden="true" size={18} />
          <span>{t.enableNotifications}</span>
        </button>
      )}
      {availability !== 'unsupported' && (
        <>
          <label>
            <input type="checkbox" checked={showText} aria-describedby={helpId} onChange={(event) => chooseShowText(event.currentTarget.checked)} /> {t.showMessageText}
          </label>
          <small id={helpId} className="settings__help">{t.showMessageTextHelp}</small>
        </>
      )}
    </section>
  );
}
