import type { PinnedManifestKey } from '@parley/rollout';

/**
 * The manifest keys this shell trusts, baked in at build time (current, then next): the shell never
 * takes its trust anchor from the server whose answers it checks. Empty outside a build (unit tests
 * pass their own keys).
 */
export const PINNED_MANIFEST_KEYS: readonly PinnedManifestKey[] = typeof __MANIFEST_KEYS__ === 'undefined' ? [] : __MANIFEST_KEYS__;
