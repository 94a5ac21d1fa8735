import { Link2, LockKeyhole, MessageCircle, UserPlus, Users } from 'lucide-react';
import { type FormEvent, useEffect, useId, useState } from 'react';
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

  const link = (event: FormEvent) => {
    event.preventDefault();
    if (busy || code.trim() === '') return;
    setBusy('link');
    setLinkError(null);
    actions
      .linkThisBrowser(code.trim())
      .catch((error: unknown) => setLinkError(message(error)))
      .finally(() => setBusy(null));
  };

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
        <button type="submit" className="button" disabled={busy !== null}>
          {t.link}
        </button>
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
