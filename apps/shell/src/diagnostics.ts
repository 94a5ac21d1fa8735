import type { EvaluatedManifest, RemoteModule, RemoteName } from '@parley/contracts';
import { bus, busEvaluations } from '@parley/event-bus';
import { Observable } from 'rxjs';

/**
 * What the shell exposes on `window.parleyDebug` for the debug panel and the browser tests: which
 * releases loaded, the singletons each app holds, and a way to unmount a remote. Nothing secret
 * lives here: no token, no key.
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
  (globalThis as { parleyDebug?: ShellDiagnostics }).parleyDebug = diagnostics;
  return diagnostics;
}
