import { X } from 'lucide-react';
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { HistoryTransferMonths } from '@parley/contracts';
import type { ShellMessages } from '../messages.js';
import { HistoryTransferChoice } from '../linking/HistoryTransferChoice.js';
import { LinkQrCode } from '../linking/LinkQrCode.js';
import { encodeLinkQr } from '../linking/link-qr-payload.js';
import { LanguageSelect } from './LanguageSelect.js';
import { SignOutSection } from './SignOutSection.js';

/** One device of the account as the list shows it. */
export interface DeviceEntry {
  readonly deviceId: number;
  readonly createdAt: number;
  readonly lastSeenAt: number;
}

/** A link code this device shows while it waits for the new device. */
export interface PendingLink {
  /** What the user types on the new device. */
  readonly code: string;
  readonly expiresAt: number;
  /** Resolves with the new device's id once it was provisioned; rejects when the code expired or failed. */
  readonly linked: Promise<number>;
  cancel(): void;
}

/** What the settings panel asks of the session layer. */
export interface SettingsActions {
  listDevices(): Promise<readonly DeviceEntry[]>;
  removeDevice(deviceId: number): Promise<void>;
  startLinking(): Promise<PendingLink>;
  /** Sends the last `months` months of history to the device just linked; resolves with how many messages went. */
  sendHistory(deviceId: number, months: HistoryTransferMonths): Promise<number>;
  /** Removes this device from the account and wipes this browser's keys, history and token. */
  signOut(): Promise<void>;
}

/** The QR code's text for a link code, or null for a code that does not fit one (the typed code still works). */
function qrText(code: string): string | null {
  try {
    return encodeLinkQr(code, window.location.origin);
  } catch {
    return null;
  }
}

/** What became of the recent messages chosen for the new device. */
type HistoryState = { status: 'none' } | { status: 'sending' } | { status: 'sent'; count: number } | { status: 'failed' };

type LinkState = { status: 'idle' } | { status: 'starting' } | { status: 'showing'; link: PendingLink } | { status: 'done' } | { status: 'failed' };

/**
 * Settings, a modal sheet (a native `<dialog>`: focus moves in and stays there, Escape closes, the
 * shell returns focus to its opener): language, appearance, this account's devices (remove others),
 * and "Link a device" with a code.
 */
export function SettingsPanel(props: {
  t: ShellMessages;
  locale: string;
  onLocale: (locale: string) => void;
  account: { handle: string; displayName: string; deviceId: number };
  actions: SettingsActions;
  onClose: () => void;
  /** The appearance section (theme, call layout) and the calls section, right after the language. */
  appearance?: ReactNode;
  /** More sections from the shell (beta program, release information). */
  children?: ReactNode;
}) {
  const { t, locale, onLocale, account, actions, onClose, appearance, children } = props;
  const titleId = useId();
  const [devices, setDevices] = useState<readonly DeviceEntry[] | null>(null);
  const [devicesFailed, setDevicesFailed] = useState(false);
  const [link, setLink] = useState<LinkState>({ status: 'idle' });
  const [historyMonths, setHistoryMonths] = useState<HistoryTransferMonths>(0);
  const [history, setHistory] = useState<HistoryState>({ status: 'none' });
  // Read when the new device shows up: the user may change their mind while the code is shown.
  const chosenMonths = useRef(historyMonths);
  chosenMonths.current = historyMonths;
  const pending = useRef<PendingLink | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element || element.open) return;
    // showModal is missing in some DOM implementations used by tests: an open dialog then.
    if (typeof element.showModal === 'function') element.showModal();
    else element.setAttribute('open', '');
  }, []);
  const format = (at: number) => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(at);

  const refresh = useCallback(() => {
    actions
      .listDevices()
      .then((list) => {
        setDevices(list);
        setDevicesFailed(false);
      })
      .catch(() => setDevicesFailed(true));
  }, [actions]);
  useEffect(refresh, [refresh]);
  useEffect(() => () => pending.current?.cancel(), []);

  const startLinking = () => {
    setLink({ status: 'starting' });
    setHistory({ status: 'none' });
    actions
      .startLinking()
      .then((started) => {
        pending.current = started;
        setLink({ status: 'showing', link: started });
        started.linked
          .then((deviceId) => {
            setLink({ status: 'done' });
            refresh();
            const months = chosenMonths.current;
            if (months === 0) return;
            setHistory({ status: 'sending' });
            actions.sendHistory(deviceId, months).then(
              (count) => setHistory({ status: 'sent', count }),
              () => setHistory({ status: 'failed' }),
            );
          })
          .catch(() => setLink({ status: 'failed' }))
          .finally(() => {
            pending.current = null;
          });
      })
      .catch(() => setLink({ status: 'failed' }));
  };

  return (
    <dialog
      ref={dialog}
      className="settings"
      aria-labelledby={titleId}
      data-testid="settings"
      onCancel={(event) => {
        // React passes a nested dialog's cancel (the sign-out confirmation) up the tree: that one
        // closes itself, not Settings.
        if (event.target !== event.currentTarget) return;
        // Escape: close through React's state, not behind its back.
        event.preventDefault();
        onClose();
      }}
    >
      <header className="settings__header">
        <h2 id={titleId}>{t.settings}</h2>
        <button type="button" className="icon-button" aria-label={t.closeSettings} title={t.closeSettings} onClick={onClose}>
          <X aria-hidden="true" size={20} />
        </button>
      </header>
      <div className="settings__body">
      <LanguageSelect t={t} locale={locale} onChange={onLocale} />
      {appearance}
      <h3>{t.account}</h3>
      <p data-testid="settings-account">
        {account.displayName} · @{account.handle}
      </p>
      <SignOutSection t={t} onSignOut={actions.signOut} />
      <h3>{t.devices}</h3>
      {devicesFailed && <p role="alert">{t.devicesFailed}</p>}
      {devices && (
        <ul className="settings__devices" data-testid="device-list">
          {devices.map((device) => (
            <li key={device.deviceId} data-testid="device" data-device-id={device.deviceId}>
              <span>{device.deviceId === account.deviceId ? t.thisDevice(device.deviceId) : t.device(device.deviceId)}</span>{' '}
              <small>
                {t.added} {format(device.createdAt)} · {t.lastSeen} {format(device.lastSeenAt)}
              </small>
              {device.deviceId !== account.deviceId && (
                <button type="button" aria-label={t.removeDevice(device.deviceId)} onClick={() => void actions.removeDevice(device.deviceId).then(refresh, refresh)}>
                  {t.remove}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      <h3>{t.linkDevice}</h3>
      {(link.status === 'idle' || link.status === 'done' || link.status === 'failed') && (
        <button type="button" onClick={startLinking}>
          {t.linkDevice}
        </button>
      )}
      {link.status === 'starting' && <p role="status">{t.loading}</p>}
      {link.status === 'showing' && (
        <>
        <div role="status" className="settings__link-code">
          <p>{t.linkQrHelp}</p>
          {qrText(link.link.code) !== null && <LinkQrCode text={qrText(link.link.code)!} label={t.linkQrCode} />}
          <p>{t.linkDeviceHelp}</p>
          <p>
            <code data-testid="link-code">{link.link.code}</code>
          </p>
          <p>{t.linkCodeExpires(new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(link.link.expiresAt))}</p>
        </div>
        <HistoryTransferChoice t={t} months={historyMonths} onChange={setHistoryMonths} />
        </>
      )}
      {link.status === 'done' && (
        <p role="status" data-testid="link-done">
          {t.linkDone}
        </p>
      )}
      {link.status === 'failed' && <p role="alert">{t.failures.link_expired}</p>}
      {history.status === 'sending' && <p role="status">{t.historySending}</p>}
      {history.status === 'sent' && (
        <p role="status" data-testid="history-sent">
          {t.historySent(history.count)}
        </p>
      )}
      {history.status === 'failed' && <p role="alert">{t.historyFailed}</p>}
      {children}
      </div>
    </dialog>
  );
}
