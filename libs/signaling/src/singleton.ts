import { createPageSlot } from '@parley/event-bus';
import type { RelayConnection } from './relay-client.js';

// Module Federation shares this module as a singleton, so the connection the shell provides here
// is the one chat and call see. They get the narrow RelayConnection: only the shell connects,
// closes and replaces it.
const slot = createPageSlot<RelayConnection>('relay connection');

/** Makes `connection` the page's relay connection (the shell, once its client exists); returns a withdraw function. */
export const provideRelayConnection = (connection: RelayConnection): (() => void) => slot.provide(connection);

/** The page's relay connection, for chat and call. Throws when the shell has not provided one. */
export const relayConnection = (): RelayConnection => slot.get();
