/**
 * The periodic clean-up of issue 9: call links unused for CALL_LINK_EXPIRY_MS expire (their calls
 * end) and old tombstones go (CallLinkDirectory.sweep, which reads the injectable clock, so tests
 * run it directly). It runs with the other sweeps on one node (cluster/sweeps.ts). Idle guest
 * accounts are swept with the rest of the store (storage-sweeps.ts).
 */

/** How often the sweeps run: expiry is counted in days, so minutes of slack do not matter. */
export const CALL_LINK_SWEEP_INTERVAL_MS = 10 * 60_000;
