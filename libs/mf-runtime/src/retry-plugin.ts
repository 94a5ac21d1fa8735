import type { ModuleFederationRuntimePlugin } from '@module-federation/enhanced/runtime';
import { schedule, systemClock } from '@parley/clock';

/** How often and how patiently a failed remote entry is fetched again. */
export interface RetryOptions {
  /** Further attempts after the first failure. */
  readonly retries: number;
  /** Wait before the first retry; doubled for each next one. */
  readonly delayMs: number;
  /** Told about each retry (for logs and tests). */
  readonly onRetry?: (info: { remote: string; attempt: number; delayMs: number }) => void;
  /** Told when every attempt failed; the fallback plugin takes over from there. */
  readonly onGiveUp?: (info: { remote: string; attempts: number }) => void;
  /** Injectable for tests. */
  readonly sleep?: (ms: number) => Promise<void>;
}

const DEFAULTS: RetryOptions = { retries: 2, delayMs: 300 };

/**
 * Module Federation runtime plugin: when a remote entry script fails to load (a network blip, an
 * origin restarting), load it again a couple of times with exponential backoff before giving up —
 * and only then does the fallback plugin turn the failure into a notice. An entry that fails its
 * integrity check fails every attempt the same way, so retrying never loads unchecked code.
 */
export function retryPlugin(options: Partial<RetryOptions> = {}): ModuleFederationRuntimePlugin {
  const { retries, delayMs, onRetry, onGiveUp } = { ...DEFAULTS, ...options };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => schedule(systemClock, ms, resolve)));
  return {
    name: 'parley-remote-retry',
    loadEntryError({ getRemoteEntry, origin, remoteInfo, remoteEntryExports, globalLoading, uniqueKey }) {
      const retry = async () => {
        for (let attempt = 1; attempt <= retries; attempt += 1) {
          const wait = delayMs * 2 ** (attempt - 1);
          onRetry?.({ remote: remoteInfo.name, attempt, delayMs: wait });
          await sleep(wait);
          // The failed attempt is still cached as "loading": forget it, or the retry would await it.
          delete globalLoading[uniqueKey];
          try {
            const exports = await getRemoteEntry({ origin, remoteInfo, remoteEntryExports });
            if (exports) return exports;
          } catch {
            // Next attempt.
          }
        }
        onGiveUp?.({ remote: remoteInfo.name, attempts: retries + 1 });
        // Undefined lets the runtime raise the original error, which the fallback plugin then handles.
        return undefined;
      };
      // The hook's declared type wraps the exports in one more promise than the runtime awaits.
      return retry() as unknown as ReturnType<NonNullable<ModuleFederationRuntimePlugin['loadEntryError']>>;
    },
  };
}
