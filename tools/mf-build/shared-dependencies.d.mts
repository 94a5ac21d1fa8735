import type { moduleFederationPlugin } from '@module-federation/sdk';

/** Shared singletons for one app (see shared-dependencies.mjs). */
export function sharedDependencies(options: { framework: 'react' | 'solid'; unshare?: string[] }): moduleFederationPlugin.SharedObject;
/** Packages named in PARLEY_UNSHARE: the negative-control build only. */
export function unsharedFromEnv(): string[];
