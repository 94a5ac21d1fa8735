import type { EvaluatedManifest, RemoteModule, RemoteName } from '@parley/contracts';
import { bus, busEvaluations } from '@parley/event-bus';
import { Observable } from 'rxjs';

/**
 * What the shell knows of its remotes (which releases loaded), and in builds for the browser tests
 * also exposes on `window.parleyDebug`: the singletons each app holds, and a way to unmount a
 * remote. Nothing secret lives here: no token, no key.
 */
export interface ShellDiagnostics {
  readonly shellVersion: string;
  manifest: EvaluatedManifest | null;
  readonly remotes: Partial<Record<RemoteName, RemoteModule>>;
  probe(): { bus: unknown; Observable: unknown; busEvaluations: number };
  unmount(name: RemoteName): void;
  mount(name: RemoteName): void;
}

export function createDiagnostics(setEnabled: (name: RemoteName, enabled: boolean) => void): ShellDiagnostics {
  const diagnostics: ShellDiagnostics = {
    shellVersion: __SHELL_VERSION__,
    manifest: null,
    remotes: {},
    probe: () => ({ bus, Observable, busEvaluations: busEvaluations() }),
    unmount: (name) => setEnabled(name, false),
    mount: (name) => setEnabled(name, true),
  };
  // A test hook: production builds drop it (and the name) as dead code.
  if (typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__) (globalThis as { parleyDebug?: ShellDiagnostics }).parleyDebug = diagnostics;
  return diagnostics;
}
