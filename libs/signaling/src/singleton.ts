import type { RelayConnection } from './relay-client.js';

// Module Federation shares this module as a singleton, so the connection the shell provides here
// is the one chat and call see. They get the narrow RelayConnection: only the shell connects,
// closes and replaces it.
let current: RelayConnection | null = null;

/**
 * Makes `connection` the page's relay connection; the shell calls it once it created its client.
 * Returns a function that withdraws it again (on sign-out, or at the end of a test).
 */
export function provideRelayConnection(connection: RelayConnection): () => void {
  if (current !== null && current !== connection) {
    throw new Error('provideRelayConnection: this page already has a relay connection; withdraw it first');
  }
  current = connection;
  return () => {
    if (current === connection) current = null;
  };
}

/** The page's relay connection, for chat and call. Throws when the shell has not provided one. */
export function relayConnection(): RelayConnection {
  if (current === null) throw new Error('relayConnection: the shell has not provided a relay connection yet');
  return current;
}
