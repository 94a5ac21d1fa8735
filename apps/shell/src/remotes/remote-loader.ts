import type { ModuleFederation } from '@module-federation/enhanced/runtime';
import type { RemoteModule, RemoteName, RemoteRelease } from '@parley/contracts';
import { type RemoteUnavailable, describeLoadError, isRemoteUnavailable } from '@parley/mf-runtime';
import { StartedEarly } from '../started-early.js';

export type LoadedRemote = { readonly ok: true; readonly module: RemoteModule } | { readonly ok: false; readonly unavailable: RemoteUnavailable };

function looksLikeRemoteModule(value: unknown): value is RemoteModule {
  const candidate = value as Partial<RemoteModule> | null;
  return (
    typeof candidate?.app?.render === 'function' &&
    typeof candidate.app.destroy === 'function' &&
    typeof candidate.probe === 'function' &&
    typeof candidate.version === 'string'
  );
}

/** Registers a remote release named by the manifest and loads its `./App` module. */
export async function loadRemoteRelease(federation: ModuleFederation, name: RemoteName, release: RemoteRelease): Promise<LoadedRemote> {
  const unavailable = (stage: string, reason: string): LoadedRemote => ({
    ok: false,
    unavailable: { unavailable: true, remote: name, stage, reason },
  });
  try {
    federation.registerRemotes([{ name, entry: release.entry }], { force: true });
    const loaded = await federation.loadRemote<unknown>(`${name}/App`);
    if (isRemoteUnavailable(loaded)) return { ok: false, unavailable: loaded };
    if (!looksLikeRemoteModule(loaded)) return unavailable('contract', `${name} does not expose the mount contract`);
    return { ok: true, module: loaded };
  } catch (error) {
    return unavailable('load', describeLoadError(error));
  }
}

/** Loads started before their slot rendered (startRemoteEarly), by remote name and entry URL. */
const earlyLoads = new StartedEarly<Promise<LoadedRemote>>();
const earlyKey = (name: RemoteName, entry: string) => `${name} ${entry}`;

/**
 * Starts loading a release its slot will ask for once the signed-in shell renders (issue 20): the
 * same load as the slot's (the manifest's integrity on the entry, the remote's SRI on its chunks),
 * only sooner, so its downloads overlap the device session's start.
 */
export function startRemoteEarly(federation: ModuleFederation, name: RemoteName, release: RemoteRelease): void {
  earlyLoads.start(earlyKey(name, release.entry), () => loadRemoteRelease(federation, name, release));
}

/** The load started early for this release, once (later calls get undefined and load afresh). */
export function takeEarlyRemote(name: RemoteName, entry: string): Promise<LoadedRemote> | undefined {
  return earlyLoads.take(earlyKey(name, entry));
}
