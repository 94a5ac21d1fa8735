// The unit tests' resolution of React's packages: the same Preact compat layer the apps are built
// with (REACT_ALIASES, shared-dependencies.mjs), so that what is tested is what ships.
import { fileURLToPath } from 'node:url';

const testReact = fileURLToPath(new URL('./react-on-preact-test.mjs', import.meta.url));

/** Vite aliases: `react` (with `act`), `react/*`, `react-dom` and `react-dom/*` to Preact's compat. */
export const reactOnPreactAliases = [
  { find: /^react$/, replacement: testReact },
  { find: /^react\/(.*)$/, replacement: 'preact/compat/$1' },
  { find: /^react-dom$/, replacement: 'preact/compat' },
  { find: /^react-dom\/(.*)$/, replacement: 'preact/compat/$1' },
  // Node's resolution finds lucide-react's CommonJS build, which `require`s the real React: its ES
  // module build instead, transformed by Vite (reactDependencies) so that the aliases above reach it.
  { find: /^lucide-react$/, replacement: 'lucide-react/dist/esm/lucide-react.mjs' },
];

/**
 * Dependencies that import React themselves (lucide-react): transformed by Vite, so that the aliases
 * reach them too, rather than loaded by Node, which would find the real React.
 */
export const reactDependencies = [/lucide-react/];
