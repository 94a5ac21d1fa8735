import { useId } from 'react';
import type { ShellMessages } from '../messages.js';

/** One remote as the manifest names it and as it loaded. */
export interface RemoteReleaseInfo {
  readonly name: string;
  /** From the accepted manifest; absent when this user gets no release of it. */
  readonly version?: string;
  readonly entry?: string;
  /** The version the loaded module reports about itself. */
  readonly loadedVersion?: string;
}

/** A shared singleton the Module Federation runtime loaded, and which app provided it. */
export interface SharedLibraryInfo {
  readonly name: string;
  readonly version: string;
  readonly from: string;
}

/** The debug panel: which release of each remote runs here, and which shared versions loaded. */
export function ReleaseInfo({ t, remotes, shared }: { t: ShellMessages; remotes: readonly RemoteReleaseInfo[]; shared: readonly SharedLibraryInfo[] }) {
  const titleId = useId();
  return (
    <section className="settings__release-info" aria-labelledby={titleId} data-testid="release-info">
      <h3 id={titleId}>{t.releaseInfo}</h3>
      <p>
        <small>{t.releaseInfoHelp}</small>
      </p>
      <ul>
        {remotes.map((remote) => (
          <li key={remote.name} data-testid="release-info-remote" data-remote={remote.name} data-version={remote.version ?? ''}>
            <strong>{remote.name}</strong> {remote.version ?? t.notLoaded}
            {remote.loadedVersion && remote.loadedVersion !== remote.version && <small> ({remote.loadedVersion})</small>}
            {remote.entry && (
              <>
                {' '}
                <code>{remote.entry}</code>
              </>
            )}
          </li>
        ))}
      </ul>
      <h4>{t.sharedLibraries}</h4>
      <ul>
        {shared.map((library) => (
          <li key={`${library.name}@${library.version}`} data-testid="shared-library" data-name={library.name} data-version={library.version}>
            <code>
              {library.name}@{library.version}
            </code>{' '}
            <small>{t.loadedFrom(library.from)}</small>
          </li>
        ))}
      </ul>
    </section>
  );
}
