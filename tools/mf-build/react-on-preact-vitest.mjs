// The unit tests' resolution of React's packages: the same Preact compat layer the apps are built
// with (REACT_ALIASES, shared-dependencies.mjs), so that what is tested is what ships.
import { fileURLToPath } from 'node:url';
import { REACT_ALIASES } from './shared-dependencies.mjs';

const testReact = fileURLToPath(new URL('./react-on-preact-test.mjs', import.meta.url));

/**
 * Vite aliases: `react` itself to the tests' `react` (compat with `act`), then REACT_ALIASES as the
 * build has them, `react/*` and `react-dom/*` included (the first matching alias wins).
 */
export const reactOnPreactAliases = [
  { find: /^react$/, replacement: testReact },
  ...Object.entries(REACT_ALIASES).flatMap(([pkg, target]) => [
    { find: new RegExp(`^${pkg}$`), replacement: target },
    { find: new RegExp(`^${pkg}/(.*)$`), replacement: `${target}/$1` },
  ]),
  // Node's resolution finds lucide-react's CommonJS build, which `require`s the real React: its ES
  // module build instead, transformed by Vite (reactDependencies) so that the aliases above reach it.
  { find: /^lucide-react$/, replacement: 'lucide-react/dist/esm/lucide-react.mjs' },
];

/**
 * Dependencies that import React themselves (lucide-react): transformed by Vite, so that the aliases
 * reach them too, rather than loaded by Node, which would find the real React.
 */
export const reactDependencies = [/lucide-react/];
