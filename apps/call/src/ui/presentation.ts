import type { CallPresentationMode, CallPhase } from '@parley/contracts';

/** What is on screen in the call app that decides how much of the page it asks the shell for. */
export interface PresentationInput {
  /** The 1:1 call's phase (`idle` when none). */
  readonly oneToOne: CallPhase;
  /** A group call (or its ended summary, or a link's waiting room) is on screen. */
  readonly groupOnScreen: boolean;
  /** A group call rings here. */
  readonly groupRinging: boolean;
  /** The user went back to the chat: the call shows as a small floating bar. */
  readonly minimised: boolean;
  /** The call-links dialog is open (asked for from the chat's menu over `call.links-requested`). */
  readonly linksOpen: boolean;
}

/**
 * The `call.presentation` mode: a call on screen takes the stage; a ring alone, or a minimised call,
 * only floats over the chat (`overlay`), and so does the call-links dialog (a modal over whatever is
 * on screen); nothing at all takes no space.
 */
export function presentationMode(input: PresentationInput): CallPresentationMode {
  const callOnScreen = (input.oneToOne !== 'idle' && input.oneToOne !== 'incoming') || input.groupOnScreen;
  if (callOnScreen) return input.minimised ? 'overlay' : 'stage';
  if (input.oneToOne === 'incoming' || input.groupRinging || input.linksOpen) return 'overlay';
  return 'none';
}
