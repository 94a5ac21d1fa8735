/**
 * How the shell lays out its main area, from what the call app asks for over the bus
 * (`call.presentation`), the user's call layout choice and who is signed in.
 */
import type { CallPresentationMode } from '@parley/contracts';
import type { CallLayoutChoice } from './appearance.js';

/**
 * `chat`: the chat has the main area; the call slot stays mounted (it must hear incoming calls) but
 * takes no space, and draws only fixed-position things. `stage`: the call has the main area beside a
 * narrow chat column. `split`: chat and call side by side, the user sizes them. `call-only`: a
 * guest's page, the call and nothing else. `column`: a call release from before `call.presentation`
 * (an older cohort, or a rollback) keeps the fixed side column it was built for.
 */
export type ShellLayout = 'chat' | 'stage' | 'split' | 'call-only' | 'column';

export function shellLayout(input: {
  readonly mode: CallPresentationMode;
  /** Whether the loaded call app has published `call.presentation` at all. */
  readonly callAsksForSpace: boolean;
  readonly guest: boolean;
  readonly choice: CallLayoutChoice;
}): ShellLayout {
  if (input.guest) return 'call-only';
  if (!input.callAsksForSpace) return 'column';
  if (input.mode !== 'stage') return 'chat';
  return input.choice;
}
