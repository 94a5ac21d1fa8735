import { useObservable } from '@parley/bus-react';
import { CONTRACT_VERSION } from '@parley/contracts';
import { bus } from '@parley/event-bus';
import { Suspense, lazy, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Observable } from 'rxjs';
import { browserIdle } from './idle.js';
import { prefetchManifest } from './manifest/manifest-prefetch.js';
import { defaultLocale, failureText, loadMessages, messagesFor, messagesLoaded } from './messages.js';
import { deviceSession, earlyShellModule, looksSignedIn, preloadSignedIn, shellModule } from './returning-start.js';
import type { OnboardingActions } from './screens/OnboardingScreen.js';
import { OtherTabScreen } from './screens/OtherTabScreen.js';
import type { DeviceSession, SignedInDevice } from './session/device-session.js';
import type { EarlyShell } from './session/early-shell.js';
import { type OpenedDevice, isGuest, openDevice } from './session/open-device.js';
import { takeCallLinkFromLocation } from './session/call-link-route.js';
import { wipeThisBrowser } from './session/wipe-browser.js';
import type { TabStatus } from './session/tab-lock.js';

// The signed-in half of the shell loads on demand: a first visit shows the onboarding form without
// the protocol, messenger or Module Federation code, and fetches them while the user types (issue 20).
// A returning browser's entry has already asked for it (returning-start.ts, whose imports these are).
const Shell = lazy(() => shellModule().then(({ Shell }) => ({ default: Shell })));
// The onboarding form too: a returning user's conversation list does not need it. A browser that
// was never signed in fetches it alongside the device database (below), as a returning one does the signed-in shell.
// (Loaded into state rather than React.lazy: React holds a Suspense reveal back ~300 ms, and the
// form is the first thing a new user sees.)
const onboardingScreen = () => import('./screens/OnboardingScreen.js');
type OnboardingForm = Awaited<ReturnType<typeof onboardingScreen>>['OnboardingScreen'];

const LOCALE_KEY = 'parley.locale';

type DeviceState =
  | { status: 'opening' }
  /** `removed`: this browser was signed out by another device of the account (and wiped). */
  | { status: 'onboarding'; device: OpenedDevice; removed?: boolean }
  /**
   * A returning user's shell before its device session has started: the conversation list and history
   * from this device's stores while the protocol downloads (issue 20); `signed-in` follows.
   */
  | { status: 'starting'; device: OpenedDevice; early: EarlyShell }
  /** `early`: the shell shown before the session started, whose messenger the chat keeps using. */
  | { status: 'signed-in'; device: OpenedDevice; session: DeviceSession; early?: EarlyShell }
  /** A guest left their call: their temporary account is gone. */
  | { status: 'guest-left'; device: OpenedDevice }
  | { status: 'failed'; message: string };

function initialLocale(): string {
  return localStorage.getItem(LOCALE_KEY) ?? defaultLocale(navigator.language);
}

/**
 * The shell's root: one active tab per device (Web Locks), then onboarding for a fresh browser or
 * the signed-in shell with its device session (store, messenger, relay). The device session exists
 * only while this tab is the active one.
 */
export function ShellRoot({ tab$, onUseHere }: { tab$: Observable<TabStatus>; onUseHere: () => void }) {
  const [locale, setLocaleState] = useState(initialLocale);
  const tab = useObservable(tab$, 'acquiring');
  const [device, setDevice] = useState<DeviceState>({ status: 'opening' });
  // A page opened at /call#<secret>: the call app joins it once mounted (bus `call.link-pending`).
  const [linkInvite] = useState(() => {
    const secret = takeCallLinkFromLocation(window.location, window.history);
    if (secret) bus.set('call.link-pending', { secret });
    return secret !== null;
  });
  // A language other than English is a chunk of its own: the page waits for it (one small request
  // alongside the others) rather than showing English first; if it cannot load, English it is.
  const [messagesReady, setMessagesReady] = useState(() => messagesLoaded(locale));
  useEffect(() => {
    if (messagesReady) return undefined;
    let live = true;
    const ready = () => live && setMessagesReady(true);
    loadMessages(locale).then(ready, ready);
    return () => {
      live = false;
    };
  }, [messagesReady, locale]);
  const t = messagesFor(locale);
  const setLocale = useCallback((next: string) => {
    const switchTo = () => {
      localStorage.setItem(LOCALE_KEY, next);
      setLocaleState(next);
    };
    loadMessages(next).then(switchTo, switchTo);
  }, []);

  useEffect(() => {
    document.documentElement.lang = locale;
  }, [locale]);

  // Whatever runs now, so the tab's teardown (another tab took over) can stop it.
  const current = useRef<DeviceState>(device);
  current.current = device;
  const alive = useRef(false);

  const signIn = useCallback(async (opened: OpenedDevice, signedIn: SignedInDevice) => {
    // Removed by another device, or signed out here: nothing of the account stays in this browser
    // (keys, history, token), and onboarding starts on a fresh, empty device database.
    const end = (removed: boolean) => {
      if (current.current.status !== 'signed-in' || current.current.session !== session) return;
      session.stop();
      setDevice({ status: 'opening' });
      wipeThisBrowser(opened.db)
        .then(() => openDevice())
        .then((fresh) => (alive.current ? setDevice({ status: 'onboarding', device: fresh, removed }) : fresh.db.close()))
        .catch((error: unknown) => setDevice({ status: 'failed', message: String(error) }));
    };
    const { startDeviceSession } = await deviceSession();
    const session = await startDeviceSession(
      opened.db,
      signedIn,
      bus,
      window.location,
      () => end(true),
      () => end(false),
    );
    if (!alive.current) {
      session.stop();
      return;
    }
    // The early shell (if this page showed one) hands over: the chat keeps its messenger object.
    const shown = current.current;
    const early = shown.status === 'starting' && shown.device === opened ? shown.early : undefined;
    early?.sessionStarted(session);
    setDevice({ status: 'signed-in', device: opened, session, ...(early ? { early } : {}) });
  }, []);

  useEffect(() => {
    if (tab !== 'active') return;
    alive.current = true;
    let cancelled = false;
    // A browser that was signed in before most likely still is: the entry has already asked for its
    // signed-in shell and chat entry (returning-start.ts). One that never was fetches the onboarding
    // form alongside the device database.
    if (!looksSignedIn(() => localStorage)) void onboardingScreen().catch(() => {});
    openDevice()
      .then(async (opened) => {
        if (cancelled) {
          opened.db.close();
          return;
        }
        const { credentials } = opened;
        // The manifest's round trip overlaps the signed-in shell's start (manifest-prefetch.ts).
        if (credentials) prefetchManifest(credentials.token, CONTRACT_VERSION);
        // A returning user needs the whole signed-in shell at once: its chunks load side by side.
        // As soon as the shell's own chunks are in, the manifest is checked and the chat loads while
        // the device session's (the protocol and messenger, the larger part) still download: the
        // chat waited for them before, ~300 ms on the throttled returning visit.
        if (credentials) {
          shellModule().then(
            (shell) => !cancelled && shell.startSignedInLoads(credentials.token, credentials.userId, !isGuest(credentials)),
            () => {}, // the Shell's own lazy load below reports it
          );
        }
        // A returning user sees their conversations from this device's stores while the protocol
        // still downloads (the device session below takes over once it has started).
        // Its downloads wait until the chat is on screen, so the list's chunks have the link to themselves.
        if (credentials && !isGuest(credentials)) {
          const [{ earlyShell }] = await Promise.all([earlyShellModule(), shellModule()]);
          if (cancelled) {
            opened.db.close();
            return;
          }
          const early = earlyShell(opened.db, credentials);
          setDevice({ status: 'starting', device: opened, early });
          await early.chatShown;
          if (cancelled) return;
        }
        const signedIn = credentials
          ? await preloadSignedIn().then(([session]) => session.signedInDevice(opened.db, credentials))
          : null;
        if (cancelled) {
          opened.db.close();
          return;
        }
        if (signedIn) await signIn(opened, signedIn);
        else setDevice({ status: 'onboarding', device: opened });
      })
      .catch((error: unknown) => !cancelled && setDevice({ status: 'failed', message: String(error) }));
    return () => {
      cancelled = true;
      alive.current = false;
      const state = current.current;
      if (state.status === 'signed-in') state.session.stop();
      if (state.status !== 'opening' && state.status !== 'failed') state.device.db.close();
      setDevice({ status: 'opening' });
    };
  }, [tab, signIn]);

  // The onboarding form's chunk, once a fresh browser needs it (it was requested alongside the device database).
  const onboardingShown = device.status === 'onboarding';
  const [OnboardingScreen, setOnboardingScreen] = useState<OnboardingForm | null>(null);
  useEffect(() => {
    if (!onboardingShown || OnboardingScreen) return undefined;
    let live = true;
    onboardingScreen().then(
      (module) => live && setOnboardingScreen(() => module.OnboardingScreen),
      (error: unknown) => live && setDevice({ status: 'failed', message: failureText(t, error) }),
    );
    return () => {
      live = false;
    };
  }, [onboardingShown, OnboardingScreen, t]);

  // A first visit fetches the signed-in shell while the user fills in the form (once it is shown).
  const formShown = onboardingShown && OnboardingScreen !== null;
  useEffect(() => {
    if (formShown) return browserIdle.request(() => void preloadSignedIn().catch(() => {}), 1_000);
  }, [formShown]);

  const onboarding = useMemo<OnboardingActions | null>(() => {
    if (device.status !== 'onboarding') return null;
    const opened = device.device;
    return {
      createAccount: async (handle, displayName) => signIn(opened, await (await deviceSession()).createAccountHere(opened.db, handle, displayName, window.location)),
      linkThisBrowser: async (code) => signIn(opened, await (await deviceSession()).linkThisBrowser(opened.db, code, window.location)),
      ...(linkInvite
        ? { joinAsGuest: async (displayName: string) => signIn(opened, await (await deviceSession()).createGuestHere(opened.db, displayName, window.location)) }
        : {}),
    };
  }, [device, signIn, linkInvite]);

  // A guest's stay ends with their call: the temporary account goes (server and browser).
  useEffect(() => {
    if (device.status !== 'signed-in' || !isGuest(device.session.credentials)) return;
    let inCall = false;
    const subscription = bus.state('call.state').subscribe((call) => {
      if (call.phase !== 'idle') inCall = true;
      else if (inCall) {
        subscription?.unsubscribe();
        device.session.stop();
        void deviceSession()
          .then(({ removeGuestHere }) => removeGuestHere(device.device.db, device.session.credentials, window.location))
          .catch((error: unknown) => console.warn(`[shell] the guest account could not be removed: ${String(error)}`))
          .finally(() => setDevice({ status: 'guest-left', device: device.device }));
      }
    });
    return () => subscription.unsubscribe();
  }, [device]);

  if (!messagesReady) return null;
  if (tab === 'elsewhere') return <OtherTabScreen t={t} onUseHere={onUseHere} />;
  if (device.status === 'failed') {
    return (
      <main className="screen screen--centred" role="alert">
        <p>{t.deviceFailed}</p>
        <pre>{device.message}</pre>
        <button type="button" className="button button--primary" onClick={() => window.location.reload()}>
          {t.retry}
        </button>
      </main>
    );
  }
  if (device.status === 'guest-left') {
    return (
      <main className="screen screen--centred" data-testid="guest-left">
        <h1>{t.guestLeft}</h1>
        <p>{t.guestLeftHelp}</p>
        <button type="button" className="button button--primary" onClick={() => setDevice({ status: 'onboarding', device: device.device })}>
          {t.startOver}
        </button>
      </main>
    );
  }
  const loading = (
    <main className="screen screen--centred" aria-busy="true">
      <p role="status">{t.loading}</p>
    </main>
  );
  if (device.status === 'onboarding' && onboarding && OnboardingScreen) {
    return <OnboardingScreen t={t} locale={locale} onLocale={setLocale} actions={onboarding} notice={device.removed ? t.deviceRemoved : undefined} />;
  }
  if (device.status === 'starting' || device.status === 'signed-in') {
    // One Shell element for both: the hand-over updates its props, nothing remounts.
    const started = device.status === 'signed-in' ? device.session : null;
    const shown: Pick<DeviceSession, 'session' | 'credentials' | 'settings'> = device.status === 'signed-in' ? device.session : device.early;
    return (
      <Suspense fallback={loading}>
        <Shell
          session={shown.session}
          token={shown.credentials.token}
          account={shown.credentials}
          settings={shown.settings}
          relayCloseCause={started?.relayCloseCause}
          locale={locale}
          onLocale={setLocale}
          guest={isGuest(shown.credentials)}
          messenger={started?.messenger ?? null}
          chatMessenger={device.early?.messenger ?? started?.messenger ?? null}
          sessionStarted={started !== null}
          onNoChat={device.status === 'starting' ? device.early.noChat : undefined}
        />
      </Suspense>
    );
  }
  return loading;
}
