import type { moduleFederationPlugin } from '@module-federation/sdk';

/** Shared singletons for one app (see shared-dependencies.mjs). */
export function sharedDependencies(options: { framework: 'react' | 'solid'; unshare?: string[] }): moduleFederationPlugin.SharedObject;
/** React's packages mapped to Preact's compat layer, for the bundler's and the tests' aliases. */
export const REACT_ALIASES: Record<'react' | 'react-dom', string>;
/** Packages named in PARLEY_UNSHARE: the negative-control build only. */
export function unsharedFromEnv(): string[];
