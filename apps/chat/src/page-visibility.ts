/** Follows the page's visibility (useSyncExternalStore's subscribe): read receipts wait for a visible page. */
export function subscribeVisibility(onChange: () => void): () => void {
  document.addEventListener('visibilitychange', onChange);
  return () => document.removeEventListener('visibilitychange', onChange);
}

/** Whether the page is visible now (useSyncExternalStore's snapshot). */
export const pageVisible = (): boolean => document.visibilityState !== 'hidden';
