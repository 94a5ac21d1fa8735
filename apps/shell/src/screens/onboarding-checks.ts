// Before anything here parses: this lazy chunk is the first of the shell's to use zod on a first
// visit (before the device session), see zod-without-eval.ts.
import '../zod-without-eval.js';
import { DisplayNameSchema, HandleSchema, hasHiddenCharacters, isGuestHandle } from '@parley/contracts';
import type { OnboardingInputProblem } from '../messages.js';

// The onboarding form's checks before asking the server. A module of their own: they need the wire
// schemas (zod), which the form loads while the user types rather than before it is shown.

/** Why a display name is refused before asking the server (a key of `failures`), or null. */
export function displayNameProblem(name: string): OnboardingInputProblem | null {
  if (hasHiddenCharacters(name)) return 'display_name_characters';
  return DisplayNameSchema.safeParse(name).success ? null : 'invalid';
}

/** Why a handle is refused before asking the server (a key of `failures`), or null. */
export function handleProblem(handle: string): OnboardingInputProblem | null {
  if (!HandleSchema.safeParse(handle).success) return 'invalid';
  return isGuestHandle(handle) ? 'handle_reserved' : null;
}
