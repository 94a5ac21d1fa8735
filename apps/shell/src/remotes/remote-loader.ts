import type { ModuleFederation } from '@module-federation/enhanced/runtime';
import type { RemoteModule, RemoteName, RemoteRelease } from '@parley/contracts';
import { type RemoteUnavailable, describeLoadError, isRemoteUnavailable } from '@parley/mf-runtime';

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
