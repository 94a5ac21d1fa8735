import './zod-without-eval.js';
import { getInstance } from '@module-federation/enhanced/runtime';
import { useBehavior } from '@parley/bus-react';
import { BETA_SETTING_PATH, type EvaluatedManifest, REMOTE_NAMES, type RemoteModule, type RemoteName, type RelayCloseCause, type RemoteProps, type Session } from '@parley/contracts';
import { type Behavior, bus, readOnly } from '@parley/event-bus';
import { fallbackPlugin, integrityPlugin, retryPlugin } from '@parley/mf-runtime';
import { type ThemeChoice, avatarColour, initialsOf } from '@parley/design-tokens';
import { MessageCircle, Settings } from 'lucide-react';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { BehaviorSubject } from 'rxjs';
import { createDiagnostics } from './diagnostics.js';
import { type CallLayoutChoice, applyTheme, readCallLayout, readSplit, readTheme, writeCallLayout, writeSplit } from './layout/appearance.js';
import { useCallPresentation } from './layout/call-presentation.js';
import { MainArea } from './layout/MainArea.js';
import { shellLayout } from './layout/shell-layout.js';
import { type AcceptedManifest, ManifestError, fetchManifest, safeDefault } from './manifest/manifest-client.js';
import { takePrefetchedManifest } from './manifest/manifest-prefetch.js';
import { useBackgroundNotifications } from './notifications/use-background-notifications.js';
import { PINNED_MANIFEST_KEYS } from './manifest/pinned-keys.js';
import { LAST_MANIFEST_KEY, LAST_SIGNED_MANIFEST_KEY } from './manifest/stored-manifest.js';
import { messagesFor, relayStatusText } from './messages.js';
import { RemoteErrorBoundary } from './remotes/RemoteErrorBoundary.js';
import { RemoteSlot } from './remotes/RemoteSlot.js';
import { useDeferredStart } from './remotes/deferred-start.js';
import { startRemoteEarly } from './remotes/remote-loader.js';
import { StartedEarly } from './started-early.js';
import type { Messenger } from '@parley/messenger';
import type { BetaActions } from './screens/BetaToggle.js';
// The settings dialog's parts arrive as a lazy chunk when Settings first opens (issue 20).
import { AppearanceSettings, BetaToggle, CallsSettings, NotificationsSettings, ReleaseInfo, SettingsPanel } from './screens/lazy-settings.js';
import type { SharedLibraryInfo } from './screens/ReleaseInfo.js';
import type { SettingsActions } from './screens/SettingsPanel.js';

/** Never refresh the manifest more often than this, whatever its lifetime. */
const MIN_REFRESH_MS = 5_000;
/** The call remote waits for the chat to settle at most this long (a chat that hangs must not silence calls). */
const CALL_WAITS_FOR_CHAT_MS = 5_000;

// The manifest the remotes were registered from; the integrity plugin reads each entry's hash here.
let acceptedManifest: EvaluatedManifest | null = null;

/** The integrity the accepted manifest gives for a remote entry URL, if it names that entry. */
function manifestIntegrity(remoteName: string, url: string): string | undefined {
  const release = acceptedManifest?.remotes[remoteName as RemoteName];
  return release && release.entry === url ? release.integrity : undefined;
}

function federationInstance() {
  const instance = getInstance();
  if (!instance) throw new Error('Module Federation runtime is not initialised');
  // One plugin per concern, in order: check every entry, retry a failed one, then fall back to a notice.
  instance.registerPlugins([integrityPlugin(manifestIntegrity), retryPlugin({ retries: 2, delayMs: 250 }), fallbackPlugin()]);
  return instance;
}

/** The first manifest load, started before the shell renders (startSignedInLoads), by the token it carries. */
const earlyManifests = new StartedEarly<Promise<AcceptedManifest>>();

/**
 * The manifest request for this user, checked against the pinned keys and the last accepted issue
 * time. `first`: the page's first load, which takes the request started early (a refresh never does).
 */
function requestManifest(token: string, userId: string, first: boolean): Promise<AcceptedManifest> {
  return fetchManifest({
    token,
    userId,
    now: Date.now,
    lastAcceptedIssuedAt: Number(localStorage.getItem(LAST_MANIFEST_KEY) ?? 0),
    pinnedKeys: PINNED_MANIFEST_KEYS,
    // The request started with the device token, if any (manifest-prefetch.ts).
    ...(first ? { prefetched: takePrefetchedManifest(token) } : {}),
  });
}

/**
 * Starts the signed-in shell's first manifest load and, once it is verified, the chat's load, while
 * the device session is still starting (issue 20): the chat's downloads then overlap the session's
 * round trips and the shell's first render instead of following them. What loads is exactly what
 * the slot would load (the verified manifest's release, under its integrity); the Shell takes both
 * loads when it renders. `chat`: false for a guest, who gets no chat.
 */
export function startSignedInLoads(token: string, userId: string, chat: boolean): void {
  earlyManifests.start(token, () => {
    const accepted = requestManifest(token, userId, true);
    if (chat) {
      accepted.then(
        ({ manifest }) => {
          const release = manifest.remotes.chat;
          if (!release) return;
          // The integrity plugin reads the entry's hash from the accepted manifest.
          acceptedManifest = manifest;
          startRemoteEarly(federationInstance(), 'chat', release);
        },
        () => {},
      );
    }
    return accepted;
  });
}

type ManifestState =
  | { status: 'loading' }
  | { status: 'ready'; manifest: EvaluatedManifest }
  /** `fallback`: the safe default (the last accepted manifest's chat only), or null. */
  | { status: 'failed'; error: ManifestError; fallback: EvaluatedManifest | null };

/** The shared singletons the Module Federation runtime has loaded, and which app provided each. */
function loadedSharedLibraries(federation: ReturnType<typeof federationInstance>): SharedLibraryInfo[] {
  const libraries: SharedLibraryInfo[] = [];
  for (const scope of Object.values(federation.shareScopeMap)) {
    for (const [name, versions] of Object.entries(scope)) {
      for (const [version, shared] of Object.entries(versions)) {
        if (shared.loaded || shared.lib) libraries.push({ name, version, from: shared.from });
      }
    }
  }
  return libraries.sort((a, b) => a.name.localeCompare(b.name));
}

/** No cause known: a shell given no relay close cause shows the status alone. */
const NO_CLOSE_CAUSE: Behavior<RelayCloseCause | null> = readOnly(new BehaviorSubject<RelayCloseCause | null>(null));

/** The signed-in shell's props: who is signed in, with which device token, and the settings' actions. */
export interface ShellProps {
  readonly session: Session;
  /** This device's bearer token, for the manifest request. */
  readonly token: string;
  readonly account: { readonly handle: string; readonly displayName: string; readonly deviceId: number };
  readonly settings: SettingsActions;
  /** Why the server last closed the relay connection while it is not back; none by default. */
  readonly relayCloseCause?: Behavior<RelayCloseCause | null>;
  readonly locale: string;
  readonly onLocale: (locale: string) => void;
  /** A guest who came through a call link: the call alone, no chat and no account settings. */
  readonly guest?: boolean;
  /**
   * The device session's messenger, for notifications and the unread count (none for guests). Given
   * here rather than read from the shared `@parley/messenger` module: importing that would make this
   * chunk wait for the whole protocol, and the chat's load with it (issue 20).
   */
  readonly messenger?: Messenger | null;
  /**
   * The messenger the chat is mounted with: the early one reading this device's stores while the
   * device session starts (it hands over to the session's), or the session's; none for guests.
   */
  readonly chatMessenger?: Messenger | null;
  /** Whether the device session runs (false while a returning user's early shell shows): the call app waits for it. */
  readonly sessionStarted?: boolean;
  /** Told once it is known that no chat will show (none in the manifest): the device session need not wait for it. */
  readonly onNoChat?: () => void;
}

/** The shell: header, session, manifest, settings, and a slot per remote the manifest names. */
export function Shell({ session, token, account, settings, relayCloseCause = NO_CLOSE_CAUSE, locale, onLocale, guest = false, messenger = null, chatMessenger = null, sessionStarted = true, onNoChat }: ShellProps) {
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsButton = useRef<HTMLButtonElement>(null);
  // Back where the keyboard user was before opening Settings, once the modal dialog is gone (the
  // page behind a modal dialog is inert: nothing there can take the focus while it is open).
  const refocusSettings = useRef(false);
  const closeSettings = useCallback(() => {
    refocusSettings.current = true;
    setSettingsOpen(false);
  }, []);
  // "Call links" chosen in Settings: asked of the call app once Settings is closed and the focus is
  // back on its button, so the call app's dialog opens alone and gives the focus back there.
  const callLinksAfterClose = useRef(false);
  useEffect(() => {
    if (settingsOpen || !refocusSettings.current) return;
    refocusSettings.current = false;
    settingsButton.current?.focus();
    if (callLinksAfterClose.current) {
      callLinksAfterClose.current = false;
      bus.publish('call.links-requested', {});
    }
  }, [settingsOpen]);
  const openCallLinks = useCallback(() => {
    callLinksAfterClose.current = true;
    closeSettings();
  }, [closeSettings]);
  // Whether the loaded call app shows call links (an older one never says so: no entry then).
  const callLinksAvailable = useBehavior(bus.state('call.links-available'));
  const [manifestState, setManifestState] = useState<ManifestState>({ status: 'loading' });
  const [disabled, setDisabled] = useState<ReadonlySet<RemoteName>>(new Set());
  const federation = useMemo(federationInstance, []);
  const diagnostics = useMemo(
    () =>
      createDiagnostics((name, enabled) =>
        setDisabled((current) => {
          const next = new Set(current);
          if (enabled) next.delete(name);
          else next.add(name);
          return next;
        }),
      ),
    [],
  );
  const t = messagesFor(locale);
  // Only the phase: the badge shows nothing else, and each render of the shell costs CPU that call set-up needs.
  const callPhase = useBehavior(bus.state('call.state'), (call) => call.phase);
  const relayStatus = useBehavior(bus.state('relay.status'));
  const relayText = relayStatusText(t, relayStatus, useBehavior(relayCloseCause));
  const remoteProps = useMemo<RemoteProps>(() => ({ session, locale }), [session, locale]);
  const chatProps = useMemo(() => (chatMessenger ? { ...remoteProps, messenger: chatMessenger } : remoteProps), [remoteProps, chatMessenger]);
  const [theme, setTheme] = useState<ThemeChoice>(() => readTheme(localStorage));
  const chooseTheme = useCallback((choice: ThemeChoice) => {
    applyTheme(document.documentElement, localStorage, choice);
    setTheme(choice);
  }, []);
  const [callLayout, setCallLayout] = useState<CallLayoutChoice>(() => readCallLayout(localStorage));
  const chooseCallLayout = useCallback((choice: CallLayoutChoice) => {
    writeCallLayout(localStorage, choice);
    setCallLayout(choice);
  }, []);
  const [split, setSplit] = useState(() => readSplit(localStorage));
  const resizeSplit = useCallback((percent: number) => {
    writeSplit(localStorage, percent);
    setSplit(percent);
  }, []);
  const presentation = useCallPresentation();
  // Calls and messages while the tab is in the background, the unread count on the tab.
  useBackgroundNotifications(locale, guest ? null : messenger);
  const layout = shellLayout({ mode: presentation.mode, callAsksForSpace: presentation.asked, guest, choice: callLayout });

  const [manifestFetches, setManifestFetches] = useState(0);
  const loadManifest = useCallback(() => setManifestFetches((count) => count + 1), []);

  useEffect(() => {
    let cancelled = false;
    // A refresh keeps the mounted remotes until the answer is in.
    setManifestState((current) => (current.status === 'ready' ? current : { status: 'loading' }));
    // The first load may have been started before this render (startSignedInLoads).
    (earlyManifests.take(token) ?? requestManifest(token, session.userId, manifestFetches === 0))
      .then(({ manifest, signed }) => {
        if (cancelled) return;
        localStorage.setItem(LAST_MANIFEST_KEY, String(manifest.issuedAt));
        localStorage.setItem(LAST_SIGNED_MANIFEST_KEY, JSON.stringify(signed));
        acceptedManifest = manifest;
        diagnostics.manifest = manifest;
        setManifestState({ status: 'ready', manifest });
      })
      .catch(async (error: unknown) => {
        if (cancelled) return;
        const failure = error instanceof ManifestError ? error : new ManifestError('network', String(error));
        console.warn(`[shell] manifest refused (${failure.code}): ${failure.message}`);
        let stored: unknown = null;
        try {
          stored = JSON.parse(localStorage.getItem(LAST_SIGNED_MANIFEST_KEY) ?? 'null');
        } catch {
          stored = null;
        }
        const fallback = await safeDefault(stored, session.userId, PINNED_MANIFEST_KEYS, Date.now());
        if (cancelled) return;
        acceptedManifest = fallback;
        diagnostics.manifest = fallback;
        setManifestState({ status: 'failed', error: failure, fallback });
      });
    return () => {
      cancelled = true;
    };
  }, [token, session.userId, diagnostics, manifestFetches]);

  // Fetched again halfway through its lifetime, so a kill switch or promotion reaches open pages.
  useEffect(() => {
    if (manifestState.status !== 'ready') return;
    const { issuedAt, expiresAt } = manifestState.manifest;
    const timer = setTimeout(loadManifest, Math.max(MIN_REFRESH_MS, (expiresAt - issuedAt) / 2));
    return () => clearTimeout(timer);
  }, [manifestState, loadManifest]);

  const betaActions = useMemo<BetaActions>(
    () => ({
      async get() {
        const response = await fetch(BETA_SETTING_PATH, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
        if (!response.ok) throw new Error(`beta setting: ${response.status}`);
        // The schema (zod) loads when Settings asks, not with the shell's first paint (issue 20).
        const { readBetaSetting } = await import('./screens/beta-setting.js');
        return readBetaSetting(await response.json());
      },
      async set(enabled) {
        const response = await fetch(BETA_SETTING_PATH, {
          method: 'PUT',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ enabled }),
        });
        if (!response.ok) throw new Error(`beta setting: ${response.status}`);
        // The next manifest is evaluated with the new choice.
        loadManifest();
      },
    }),
    [token, loadManifest],
  );

  const onModule = useCallback(
    (name: RemoteName, module: RemoteModule | null) => {
      if (module) diagnostics.remotes[name] = module;
      else delete diagnostics.remotes[name];
    },
    [diagnostics],
  );

  const shownManifest = manifestState.status === 'ready' ? manifestState.manifest : manifestState.status === 'failed' ? manifestState.fallback : null;

  // The call remote starts once the chat has settled (or there is none), at the next idle moment:
  // its code stays off the chat's critical path, and it listens for calls right after (issue 20).
  const [chatSettled, setChatSettled] = useState(false);
  const [chatWaitOver, setChatWaitOver] = useState(false);
  const onSettled = useCallback((name: RemoteName) => {
    if (name === 'chat') setChatSettled(true);
  }, []);
  const chatExpected = !guest && !disabled.has('chat') && shownManifest?.remotes.chat !== undefined;
  const chatPending = chatExpected && !chatSettled;
  useEffect(() => {
    if (!chatPending || chatWaitOver) return;
    const timer = setTimeout(() => setChatWaitOver(true), CALL_WAITS_FOR_CHAT_MS);
    return () => clearTimeout(timer);
  }, [chatPending, chatWaitOver]);
  // No chat will show: the device session (held back until the chat's list is painted) need not wait.
  useEffect(() => {
    if (shownManifest !== null && !chatExpected) onNoChat?.();
  }, [shownManifest, chatExpected, onNoChat]);
  // Calls need the protocol: the call app never mounts before the device session has started.
  const callMayStart = useDeferredStart(shownManifest !== null && (!chatPending || chatWaitOver) && sessionStarted);

  const slot = (name: RemoteName) => {
    if (!shownManifest || disabled.has(name)) return null;
    const release = shownManifest.remotes[name];
    if (!release) {
      // Only a fresh manifest says why: the safe default after a refusal keeps no reasons.
      const withheld = manifestState.status === 'ready' ? manifestState.manifest.withheld?.[name] : undefined;
      return withheld ? <p role="status" data-testid={`${name}-withheld`} data-reason={withheld.reason}>{t.remoteWithheld(name)}</p> : null;
    }
    return (
      <RemoteErrorBoundary
        key={`${name}@${release.entry}`}
        fallback={<p role="status" data-testid={`${name}-crashed`}>{t.remoteCrashed(name)}</p>}
      >
        <RemoteSlot name={name} release={release} remoteProps={name === 'chat' ? chatProps : remoteProps} federation={federation} t={t} onModule={onModule} onSettled={onSettled} />
      </RemoteErrorBoundary>
    );
  };

  return (
    <div className="shell" lang={locale} data-layout={layout}>
      <header className="shell__header">
        <h1 className="shell__brand">
          <MessageCircle className="shell__logo" aria-hidden="true" size={26} />
          Parley
        </h1>
        <span className="shell__identity">
          <span className="shell__avatar" aria-hidden="true" style={{ backgroundColor: avatarColour(session.userId) }}>
            {initialsOf(session.displayName)}
          </span>
          <span className="shell__name" data-testid="shell-identity">
            {session.displayName}
            {guest && <small className="shell__tag"> · {t.guest}</small>}
            {session.temporary && <small className="shell__tag"> · {t.temporaryIdentity}</small>}
          </span>
        </span>
        <span className="shell__call-status" data-testid="shell-call-status" data-phase={callPhase}>
          {t.callStatus[callPhase] ?? ''}
        </span>
        <span className="shell__relay" data-testid="shell-relay" data-status={relayStatus} role="status" title={relayText}>
          <span className="shell__relay-dot" aria-hidden="true" />
          <span className="visually-hidden">{t.connection(relayText)}</span>
        </span>
        {!guest && (
          <button
            ref={settingsButton}
            type="button"
            className="icon-button shell__settings-button"
            aria-label={t.settings}
            title={t.settings}
            aria-haspopup="dialog"
            aria-expanded={settingsOpen}
            onClick={() => setSettingsOpen((open) => !open)}
          >
            <Settings aria-hidden="true" size={22} />
          </button>
        )}
      </header>
      {settingsOpen && (
        <SettingsPanel
          t={t}
          locale={locale}
          onLocale={onLocale}
          account={account}
          actions={settings}
          onClose={closeSettings}
          appearance={
            <>
              <AppearanceSettings t={t} theme={theme} onTheme={chooseTheme} callLayout={callLayout} onCallLayout={chooseCallLayout} />
              {callLinksAvailable && <CallsSettings t={t} onCallLinks={openCallLinks} />}
              <NotificationsSettings t={t} locale={locale} />
            </>
          }
        >
          <BetaToggle t={t} actions={betaActions} />
          <ReleaseInfo
            t={t}
            remotes={REMOTE_NAMES.map((name) => ({
              name,
              ...(shownManifest?.remotes[name] ? { version: shownManifest.remotes[name].version, entry: shownManifest.remotes[name].entry } : {}),
              ...(diagnostics.remotes[name] ? { loadedVersion: diagnostics.remotes[name].version } : {}),
            }))}
            shared={loadedSharedLibraries(federation)}
          />
        </SettingsPanel>
      )}
      {manifestState.status === 'failed' && (
        <p role="alert" className="shell__alert" data-testid="manifest-failed" data-code={manifestState.error.code}>
          {['network', 'http'].includes(manifestState.error.code) ? t.manifestFailed : t.manifestRejected}{' '}
          <button type="button" className="button" onClick={loadManifest}>{t.retry}</button>
        </p>
      )}
      <MainArea t={t} layout={layout} chat={guest ? null : slot('chat')} call={callMayStart ? slot('call') : null} split={split} onSplit={resizeSplit} />
    </div>
  );
}
