/**
 * The first-load budgets `npm run size` enforces (and so `npm test`, in CI): bytes on the wire, as
 * served with Chromium's own Accept-Encoding (brotli), HTTP cache disabled, headers included.
 * Bytes are deterministic for a given build, so this is a budget test, not a timing test.
 *
 * Issue 20's goal is 150 kB (153,600 bytes) for (a) and (b). (a) meets it and is held to it. (b)
 * does not yet (the lazy shell and the call app after the chat took it from ~446 kB to ~325 kB):
 * its budget is the measured value plus ~5%, to be lowered as the remaining reductions land
 * (zod/mini, the Module Federation runtime once, the call app split).
 */

/** The goal of issue 20 for (a) and (b), in bytes. */
export const GOAL_BYTES = 150 * 1024;

/** A critical path's name (critical-paths.ts) and its budget in bytes on the wire. */
export const BUDGETS = {
  /** (a) a first visit, until the onboarding form is usable. Measured 2026-12-07: 237,740 bytes before the lazy shell, 137,216 after. Held to the goal. */
  firstVisitOnboarding: GOAL_BYTES,
  /**
   * (b) a signed-in user with an empty HTTP cache, until the conversation list is usable. Measured
   * 2026-12-07: 446,393 and 486,486 bytes before (the call app raced the chat), 333,210 after the
   * call app moved behind the chat. Goal: 153,600.
   */
  returningChat: 350_000,
  /** (c) the same visit, until the call app has mounted. Measured 2026-12-07: 486,485 bytes (no goal of its own: off the critical path). */
  returningCall: 511_000,
} as const satisfies Record<string, number>;

export type CriticalPath = keyof typeof BUDGETS;

/** One path over its budget: what to print when the size check fails. */
export interface BudgetExcess {
  path: CriticalPath;
  measured: number;
  budget: number;
}

/** The paths whose measured bytes exceed their budget (none when all fit). */
export function overBudget(measured: Record<CriticalPath, number>, budgets: Record<CriticalPath, number> = BUDGETS): BudgetExcess[] {
  return (Object.keys(budgets) as CriticalPath[])
    .filter((path) => measured[path] > budgets[path])
    .map((path) => ({ path, measured: measured[path], budget: budgets[path] }));
}
