import { EventBus } from './event-bus.js';

// Module Federation shares this module as a singleton, so it must be evaluated once per page.
// The count lives on globalThis (not in the module) so that a second copy, if the sharing ever
// broke, would see the first one's count and the shell could tell.
const counterKey = Symbol.for('parley.event-bus.evaluations');
const registry = globalThis as { [counterKey]?: number };
registry[counterKey] = (registry[counterKey] ?? 0) + 1;

/** How many times this module was evaluated on this page: 1 when sharing works. */
export function busEvaluations(): number {
  return registry[counterKey] ?? 0;
}

/** The page's one bus. */
export const bus = new EventBus();
