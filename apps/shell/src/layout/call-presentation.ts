import { useBehavior } from '@parley/bus-react';
import { type CallPresentation, type CallPresentationMode, INITIAL_STATES } from '@parley/contracts';
import { bus } from '@parley/event-bus';

// Once the page's call app has asked for space it is one that knows `call.presentation`, also
// when it later goes back to the initial value: remembered for the page, across shell re-mounts.
let callHasAsked = false;

function hasAsked(presentation: CallPresentation): boolean {
  if (presentation !== INITIAL_STATES['call.presentation']) callHasAsked = true;
  return callHasAsked;
}

/**
 * What the call app asks of the layout (`call.presentation`), and whether it has ever asked: a call
 * release from before the contract never does, and keeps its side column (shell-layout.ts).
 */
export function useCallPresentation(): { readonly mode: CallPresentationMode; readonly asked: boolean } {
  const mode = useBehavior(bus.state('call.presentation'), (presentation) => presentation.mode);
  const asked = useBehavior(bus.state('call.presentation'), hasAsked);
  return { mode, asked };
}
