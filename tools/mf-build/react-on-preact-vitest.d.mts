/** Vite aliases of React's packages to Preact's compat layer, for the unit tests. */
export const reactOnPreactAliases: { find: RegExp; replacement: string }[];
/** Dependencies that import React themselves, to be inlined by vitest so the aliases reach them. */
export const reactDependencies: RegExp[];
