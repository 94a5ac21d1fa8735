import type { ContactNotice } from '@parley/messenger';
import { useState } from 'react';
import type { ChatMessages } from './messages.js';

/**
 * What the user must see about a contact's keys: an identity change is a warning that stays until
 * accepted; a new device is an informational notice the user can dismiss.
 */
export function ContactNotices(props: {
  t: ChatMessages;
  name: string;
  notices: readonly ContactNotice[];
  onAccept: () => Promise<void>;
  onSafetyNumber: () => void;
}) {
  const { t, name, notices, onAccept, onSafetyNumber } = props;
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [accepting, setAccepting] = useState(false);
  const identityChanged = notices.some((notice) => notice.kind === 'identity-changed');
  const newDevices = notices.filter((notice) => notice.kind === 'new-device' && !dismissed.has(`${notice.deviceId}@${notice.at}`));
  const dropped = notices.find((notice) => notice.kind === 'held-messages-dropped');

  return (
    <>
      {identityChanged && (
        <div role="alert" className="notice notice--warning" data-testid="identity-changed">
          <p>{t.identityChanged(name)}</p>
          <button type="button" onClick={onSafetyNumber}>
            {t.viewSafetyNumber}
          </button>
          <button
            type="button"
            disabled={accepting}
            onClick={() => {
              setAccepting(true);
              onAccept().finally(() => setAccepting(false));
            }}
          >
            {t.acceptIdentity}
          </button>
        </div>
      )}
      {dropped?.kind === 'held-messages-dropped' && (
        <div role="status" className="notice notice--warning" data-testid="held-messages-dropped">
          <p>{t.heldMessagesDropped(name, dropped.count)}</p>
        </div>
      )}
      {newDevices.map((notice) =>
        notice.kind === 'new-device' ? (
          <div key={`${notice.deviceId}@${notice.at}`} role="status" className="notice notice--info" data-testid="new-device">
            <p>{t.newDevice(name)}</p>
            <button type="button" onClick={() => setDismissed((current) => new Set(current).add(`${notice.deviceId}@${notice.at}`))}>
              {t.dismiss}
            </button>
          </div>
        ) : null,
      )}
    </>
  );
}
