import { getInstance } from '@module-federation/enhanced/runtime';
import { useBehavior } from '@parley/bus-react';
import type { EvaluatedManifest, RemoteModule, RemoteName, RemoteProps, Session } from '@parley/contracts';
import { bus } from '@parley/event-bus';
import { fallbackPlugin, integrityPlugin } from '@parley/mf-runtime';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createDiagnostics } from './diagnostics.js';
import { ManifestError, fetchManifest } from './manifest/manifest-client.js';
import { messagesFor } from './messages.js';
import { RemoteErrorBoundary } from './remotes/RemoteErrorBoundary.js';
import { RemoteSlot } from './remotes/RemoteSlot.js';
import { type SettingsActions, SettingsPanel } from './screens/SettingsPanel.js';

const LAST_MANIFEST_KEY = 'parley.manifest.last-issued-at';

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
  instance.registerPlugins([integrityPlugin(manifestIntegrity), fallbackPlugin()]);
  return instance;
}

type ManifestState = { status: 'loading' } | { status: 'ready'; manifest: EvaluatedManifest } | { status: 'failed'; error: ManifestError };

/** The signed-in shell's props: who is signed in, with which device token, and the settings' actions. */
export interface ShellProps {
  readonly session: Session;
  /** This device's bearer token, for the manifest request. */
  readonly token: string;
  readonly account: { readonly handle: string; readonly displayName: string; readonly deviceId: number };
  readonly settings: SettingsActions;
  readonly locale: string;
  readonly onLocale: (locale: string) => void;
}

/** The shell: header, session, manifest, settings, and a slot per remote the manifest names. */
export function Shell({ session, token, account, settings, locale, onLocale }: ShellProps) {
  const [settingsOpen, setSettingsOpen] = useState(false);
  const settingsButton = useRef<HTMLButtonElement>(null);
  const closeSettings = useCallback(() => {
    setSettingsOpen(false);
    // Back where the keyboard user was before opening the panel.
    settingsButton.current?.focus();
  }, []);
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
  const callState = useBehavior(bus.state('call.state'));
  const relayStatus = useBehavior(bus.state('relay.status'));
  const remoteProps = useMemo<RemoteProps>(() => ({ session, locale }), [session, locale]);

  const loadManifest = useCallback(() => {
    setManifestState({ status: 'loading' });
    fetchManifest({
      token,
      userId: session.userId,
      now: Date.now,
      lastAcceptedIssuedAt: Number(localStorage.getItem(LAST_MANIFEST_KEY) ?? 0),
    })
      .then((manifest) => {
        localStorage.setItem(LAST_MANIFEST_KEY, String(manifest.issuedAt));
        acceptedManifest = manifest;
        diagnostics.manifest = manifest;
        setManifestState({ status: 'ready', manifest });
      })
      .catch((error: unknown) => {
        const failure = error instanceof ManifestError ? error : new ManifestError('network', String(error));
        console.warn(`[shell] manifest refused (${failure.code}): ${failure.message}`);
        setManifestState({ status: 'failed', error: failure });
      });
  }, [token, session.userId, diagnostics]);

  useEffect(loadManifest, [loadManifest]);

  const onModule = useCallback(
    (name: RemoteName, module: RemoteModule | null) => {
      if (module) diagnostics.remotes[name] = module;
      else delete diagnostics.remotes[name];
    },
    [diagnostics],
  );

  const slot = (name: RemoteName) => {
    if (manifestState.status !== 'ready' || disabled.has(name)) return null;
    const release = manifestState.manifest.remotes[name];
    if (!release) return null;
    return (
      <RemoteErrorBoundary
        key={`${name}@${release.entry}`}
        fallback={<p role="status" data-testid={`${name}-crashed`}>{t.remoteCrashed(name)}</p>}
      >
        <RemoteSlot name={name} release={release} remoteProps={remoteProps} federation={federation} t={t} onModule={onModule} />
      </RemoteErrorBoundary>
    );
  };

  return (
    <div className="shell" lang={locale}>
      <header className="shell__header">
        <h1>Parley</h1>
        <span className="shell__identity" data-testid="shell-identity">
          {session.displayName}
          {session.temporary && <small> · {t.temporaryIdentity}</small>}
        </span>
        <span className="shell__relay" data-testid="shell-relay" data-status={relayStatus}>
          {t.relay[relayStatus]}
        </span>
        <span className="shell__call-status" data-testid="shell-call-status" data-phase={callState.phase}>
          {t.callStatus[callState.phase] ?? ''}
        </span>
        <button
          ref={settingsButton}
          type="button"
          className="shell__settings-button"
          aria-expanded={settingsOpen}
          onClick={() => setSettingsOpen((open) => !open)}
        >
          {t.settings}
        </button>
      </header>
      {settingsOpen && (
        <SettingsPanel t={t} locale={locale} onLocale={onLocale} account={account} actions={settings} onClose={closeSettings} />
      )}
      {manifestState.status === 'failed' && (
        <p role="alert" data-testid="manifest-failed">
          {t.manifestFailed} <button type="button" onClick={loadManifest}>{t.retry}</button>
        </p>
      )}
      <main className="shell__main">
        <div className="shell__chat">{slot('chat')}</div>
        <aside className="shell__call">{slot('call')}</aside>
      </main>
    </div>
  );
}
