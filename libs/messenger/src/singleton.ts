import { createPageSlot } from '@parley/event-bus';
import type { Messenger } from './messenger-api.js';

// Module Federation shares this module as a singleton, so the messenger the shell provides here
// is the one chat and call see.
const slot = createPageSlot<Messenger>('messenger');

/** Makes `messenger` the page's messenger (the shell, once the session is open); returns a withdraw function. */
export const provideMessenger = (value: Messenger): (() => void) => slot.provide(value);

/** The page's messenger, for chat and call. Throws when the shell has not provided one. */
export const messenger = (): Messenger => slot.get();
