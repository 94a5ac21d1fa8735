/**
 * Who presents in a group call: one shared screen at a time, the spotlight for everyone.
 *
 * A second presenter is refused, not allowed to take over. Taking over would let anyone in the call
 * replace what the presenter is showing everyone — mid-sentence, by a slip, or on purpose — and an
 * invited group call has no host to settle it; refused, the newcomer is told who presents and asks
 * them to stop. Claims travel as presence over Signal (group-presence.ts) with no arbiter, so two
 * people can start within one message's flight of each other: then every device settles on the same
 * presenter, the claimant who joined first (lowest participant index), and the other one's app
 * stops sharing and says why (`GroupCall.presentationLost$`).
 */

/** A participant's claim to present, as presence says it. */
export interface PresentingClaim {
  readonly index: number;
  readonly presenting: boolean;
}

/** The presenter among these participants, or null when nobody shares a screen. */
export function presenterOf(participants: Iterable<PresentingClaim>): number | null {
  let presenter: number | null = null;
  for (const { index, presenting } of participants) {
    if (presenting && (presenter === null || index < presenter)) presenter = index;
  }
  return presenter;
}

/** What came of asking to present: go ahead, or refused because someone else presents. */
export type PresentAnswer = { readonly ok: true } | { readonly ok: false; readonly presenter: number };

/** Whether participant `self` may start presenting now, given who presents. */
export function mayPresent(self: number | null, presenter: number | null): PresentAnswer {
  if (presenter === null || presenter === self) return { ok: true };
  return { ok: false, presenter };
}
