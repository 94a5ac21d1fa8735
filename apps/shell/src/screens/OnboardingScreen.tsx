import { Link2, LockKeyhole, MessageCircle, QrCode, UserPlus, Users } from 'lucide-react';
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { type CameraRequest, cameraProblemOf, requestCamera } from '../linking/camera-request.js';
import { failureText, type ShellMessages } from '../messages.js';
import { browserIdle } from '../idle.js';
import { LanguageSelect } from './LanguageSelect.js';

/** What onboarding asks of the session layer. Both resolve once this browser is a signed-in device. */
export interface OnboardingActions {
  createAccount(handle: string, displayName: string): Promise<void>;
  linkThisBrowser(code: string): Promise<void>;
  /** Present when the page was opened with a call link: join it as a guest. */
  joinAsGuest?(displayName: string): Promise<void>;
}

type Busy = null | 'create' | 'link' | 'guest';

/** The form's checks: loaded while the user types (they need zod), awaited on submit. */
const inputChecks = () => import('./onboarding-checks.js');

/** The camera preview and QR decoder (jsQR): fetched from the "Scan QR code" click, never on first load. */
const qrScanner = () => import('../linking/QrScanner.js');
type QrScannerView = Awaited<ReturnType<typeof qrScanner>>['default'];
/** While scanning: the camera asked for, and the scanner once its code has loaded. */
type Scan = { readonly camera: CameraRequest; readonly Scanner: QrScannerView | null };

/** First start in a browser: create an account, or link this browser to an existing one with a code. */
export function OnboardingScreen(props: {
  t: ShellMessages;
  locale: string;
  onLocale: (locale: string) => void;
  actions: OnboardingActions;
  /** Why this browser is back at onboarding (it was removed from its account), if it is. */
  notice?: string | undefined;
}) {
  const { t, locale, onLocale, actions, notice } = props;
  const ids = { handle: useId(), handleHelp: useId(), name: useId(), code: useId(), codeHelp: useId(), createError: useId(), linkError: useId(), guestName: useId(), guestHelp: useId() };
  const [guestName, setGuestName] = useState('');
  const [guestError, setGuestError] = useState<string | null>(null);
  const [handle, setHandle] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState<Busy>(null);
  const [createError, setCreateError] = useState<string | null>(null);
  const [linkError, setLinkError] = useState<string | null>(null);
  const [scan, setScan] = useState<Scan | null>(null);
  // For the camera's and the scanner's late answers: is their scan still the one on screen?
  const scanRef = useRef(scan);
  scanRef.current = scan;
  const message = (error: unknown) => failureText(t, error);
  // A failed fetch ahead of time is tried again on submit, which shows its failure.
  useEffect(() => browserIdle.request(() => void inputChecks().catch(() => {}), 1_000), []);

  const create = (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const wanted = handle.trim().toLowerCase();
    setBusy('create');
    setCreateError(null);
    inputChecks()
      .then((checks) => {
        const problem = checks.handleProblem(wanted) ?? checks.displayNameProblem(displayName);
        if (problem) return setCreateError(t.failures[problem]!);
        return actions.createAccount(wanted, displayName.trim());
      })
      .catch((error: unknown) => setCreateError(message(error)))
      .finally(() => setBusy(null));
  };

  const joinAsGuest = (event: FormEvent) => {
    event.preventDefault();
    if (busy || !actions.joinAsGuest) return;
    const join = actions.joinAsGuest;
    setBusy('guest');
    setGuestError(null);
    inputChecks()
      .then((checks) => {
        const problem = checks.displayNameProblem(guestName);
        if (problem) return setGuestError(t.failures[problem]!);
        return join(guestName.trim());
      })
      .catch((error: unknown) => setGuestError(message(error)))
      .finally(() => setBusy(null));
  };

  const linkWith = (typed: string) => {
    if (busy || typed.trim() === '') return;
    setBusy('link');
    setLinkError(null);
    actions
      .linkThisBrowser(typed.trim())
      .catch((error: unknown) => setLinkError(message(error)))
      .finally(() => setBusy(null));
  };
  const link = (event: FormEvent) => {
    event.preventDefault();
    linkWith(code);
  };
  // The camera is asked for here, in the click, and stopped by whatever ends the scan.
  const startScanning = () => {
    if (busy || scan) return;
    setLinkError(null);
    const camera = requestCamera();
    const stillThis = (current: Scan | null) => current?.camera === camera;
    const endWith = (problem: string) => {
      camera.stop();
      if (!stillThis(scanRef.current)) return;
      setScan(null);
      setLinkError(problem);
    };
    setScan({ camera, Scanner: null });
    camera.stream.catch((error: unknown) => {
      const problem = cameraProblemOf(error);
      endWith(problem === 'denied' ? t.cameraDenied : problem === 'no-camera' ? t.noCamera : t.cameraFailed);
    });
    qrScanner().then(
      ({ default: Scanner }) => setScan((current) => (stillThis(current) ? { camera, Scanner } : current)),
      (error: unknown) => endWith(message(error)),
    );
  };
  const stopScanning = () => {
    scan?.camera.stop();
    setScan(null);
  };
  // A scanned code goes exactly the way of a typed one (it shows in the field, too).
  const scanned = (read: string) => {
    stopScanning();
    setCode(read);
    linkWith(read);
  };
  const scanCamera = scan?.camera;
  useEffect(() => () => scanCamera?.stop(), [scanCamera]);

  return (
    <main className="screen screen--onboarding" lang={locale} data-testid="onboarding">
      <header className="screen__header">
        <MessageCircle className="screen__logo" aria-hidden="true" size={40} />
        <h1>{t.welcome}</h1>
        <LanguageSelect t={t} locale={locale} onChange={onLocale} />
      </header>
      {notice && (
        <p role="status" className="notice notice--warning" data-testid="device-removed">
          {notice}
        </p>
      )}
      <p className="screen__lead">
        <LockKeyhole aria-hidden="true" size={18} />
        <span>{t.welcomeHelp}</span>
      </p>
      {actions.joinAsGuest && (
        <form className="card" onSubmit={joinAsGuest} aria-labelledby={`${ids.guestName}-title`} data-testid="guest-join">
          <h2 id={`${ids.guestName}-title`}>
            <Users aria-hidden="true" size={20} />
            {t.guestTitle}
          </h2>
          <p id={ids.guestHelp}>{t.guestHelp}</p>
          <label htmlFor={ids.guestName}>{t.guestName}</label>
          <input id={ids.guestName} value={guestName} onChange={(event) => setGuestName(event.target.value)} autoComplete="name" required aria-describedby={ids.guestHelp} disabled={busy !== null} />
          <button type="submit" className="button button--primary" disabled={busy !== null}>
            {busy === 'guest' ? t.joiningAsGuest : t.joinAsGuest}
          </button>
          {guestError && (
            <p role="alert" data-testid="guest-error">
              {guestError}
            </p>
          )}
        </form>
      )}
      <form className="card" onSubmit={create} aria-labelledby={`${ids.handle}-title`}>
        <h2 id={`${ids.handle}-title`}>
          <UserPlus aria-hidden="true" size={20} />
          {t.createAccount}
        </h2>
        <label htmlFor={ids.handle}>{t.handle}</label>
        <input
          id={ids.handle}
          value={handle}
          onChange={(event) => setHandle(event.target.value)}
          autoComplete="username"
          spellCheck={false}
          autoCapitalize="none"
          required
          aria-describedby={ids.handleHelp}
          disabled={busy !== null}
        />
        <small id={ids.handleHelp}>{t.handleHelp}</small>
        <label htmlFor={ids.name}>{t.displayName}</label>
        <input id={ids.name} value={displayName} onChange={(event) => setDisplayName(event.target.value)} autoComplete="name" required disabled={busy !== null} />
        <button type="submit" className="button button--primary" disabled={busy !== null}>
          {busy === 'create' ? t.creating : t.create}
        </button>
        {createError && (
          <p role="alert" id={ids.createError} data-testid="create-account-error">
            {createError}
          </p>
        )}
      </form>
      <form className="card" onSubmit={link} aria-labelledby={`${ids.code}-title`}>
        <h2 id={`${ids.code}-title`}>
          <Link2 aria-hidden="true" size={20} />
          {t.linkThisBrowser}
        </h2>
        <p id={ids.codeHelp}>{t.linkThisBrowserHelp}</p>
        <label htmlFor={ids.code}>{t.linkCode}</label>
        <input
          id={ids.code}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          autoComplete="one-time-code"
          spellCheck={false}
          aria-describedby={ids.codeHelp}
          disabled={busy !== null}
        />
        <div className="card__buttons">
          <button type="submit" className="button" disabled={busy !== null}>
            {t.link}
          </button>
          {scan === null && (
            <button type="button" className="button" onClick={startScanning} disabled={busy !== null}>
              <QrCode aria-hidden="true" size={18} />
              {t.scanQr}
            </button>
          )}
        </div>
        {scan !== null && scan.Scanner === null && <p role="status">{t.startingCamera}</p>}
        {scan?.Scanner && <scan.Scanner t={t} camera={scan.camera} onCode={scanned} onCancel={stopScanning} />}
        {busy === 'link' && <p role="status">{t.linking}</p>}
        {linkError && (
          <p role="alert" id={ids.linkError} data-testid="link-error">
            {linkError}
          </p>
        )}
      </form>
    </main>
  );
}
