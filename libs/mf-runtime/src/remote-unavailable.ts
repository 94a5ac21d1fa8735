/**
 * What `loadRemote` resolves to when a remote could not be loaded (its origin is down, its entry is
 * broken, its integrity check failed): a value the shell recognises and turns into a short notice,
 * so one missing remote never takes the page down.
 */
export interface RemoteUnavailable {
  readonly unavailable: true;
  readonly remote: string;
  /** Where loading failed, in Module Federation's terms (e.g. `onLoad`, `afterResolve`). */
  readonly stage: string;
  readonly reason: string;
}

/** True for the value the fallback plugin returns instead of a module. */
export function isRemoteUnavailable(value: unknown): value is RemoteUnavailable {
  return typeof value === 'object' && value !== null && (value as { unavailable?: unknown }).unavailable === true;
}

/** A short, log-safe description of a load error. */
export function describeLoadError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
