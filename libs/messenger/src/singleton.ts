import type { Messenger } from './messenger-api.js';

// Module Federation shares this module as a singleton, so the messenger the shell provides here
// is the one chat and call see.
let current: Messenger | null = null;

/**
 * Makes `messenger` the page's messenger; the shell calls it once the session is open.
 * Returns a function that withdraws it again (on sign-out, or at the end of a test).
 */
export function provideMessenger(messenger: Messenger): () => void {
  if (current !== null && current !== messenger) {
    throw new Error('provideMessenger: this page already has a messenger; withdraw it first');
  }
  current = messenger;
  return () => {
    if (current === messenger) current = null;
  };
}

/** The page's messenger, for chat and call. Throws when the shell has not provided one. */
export function messenger(): Messenger {
  if (current === null) throw new Error('messenger: the shell has not provided a messenger yet');
  return current;
}
