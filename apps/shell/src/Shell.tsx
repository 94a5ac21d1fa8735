import { getInstance } from '@module-federation/enhanced/runtime';
import { useBehavior } from '@parley/bus-react';
import type { EvaluatedManifest, RemoteModule, RemoteName, RemoteProps, Session } from '@parley/contracts';
import { bus } from '@parley/event-bus';
import { fallbackPlugin } from '@parley/mf-runtime';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { createDiagnostics } from './diagnostics.js';
import { ManifestError, fetchManifest } from './manifest/manifest-client.js';
import { LOCALES, messagesFor } from './messages.js';
import { RemoteErrorBoundary } from './remotes/RemoteErrorBoundary.js';
import { RemoteSlot } from './remotes/RemoteSlot.js';

const LAST_MANIFEST_KEY = 'parley.manifest.last-issued-at';

function federationInstance() {
  const instance = getInstance();
  if (!instance) throw new Error('Module Federation runtime is not initialised');
  instance.registerPlugins([fallbackPlugin()]);
  return instance;
}

type ManifestState = { status: 'loading' } | { status: 'ready'; manifest: EvaluatedManifest } | { status: 'failed'; error: ManifestError };

/** The shell: header, session, manifest, and a slot per remote the manifest names. */
export function Shell({ session, token }: { session: Session; token: string }) {
  const [locale, setLocale] = useState<string>(navigator.language.startsWith('ru') ? 'ru-RU' : 'en-US');
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
        <label>
          {t.language}{' '}
          <select value={locale} onChange={(event) => setLocale(event.target.value)} data-testid="shell-locale">
            {LOCALES.map((option) => (
              <option key={option.tag} value={option.tag}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
      </header>
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
