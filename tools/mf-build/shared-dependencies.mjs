// The Module Federation `shared` map for every app, in one place, so the host and its remotes
// agree on what is a singleton and which versions are acceptable (ARCHITECTURE "Module Federation").
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// npm workspaces hoist every package (workspace libraries as links) to the root node_modules.
const nodeModules = fileURLToPath(new URL('../../node_modules/', import.meta.url));

function installedVersion(pkg) {
  return JSON.parse(readFileSync(`${nodeModules}${pkg}/package.json`, 'utf8')).version;
}

function singleton(pkg, extra = {}) {
  const version = installedVersion(pkg);
  // Workspace libraries carry an explicit version so MF can compare it across separately built apps.
  return { singleton: true, version, requiredVersion: `^${version}`, ...extra };
}

/**
 * What each React request becomes: Preact's compat layer. The same map is the bundler's alias (the
 * apps' rsbuild configs), the unit tests' (react-on-preact-vitest.mjs) and the shared modules' below,
 * so that what is tested is what ships; `react` and `react-dom` as prefixes cover
 * `react/jsx-runtime`, `react-dom/client` and the rest.
 */
export const REACT_ALIASES = { react: 'preact/compat', 'react-dom': 'preact/compat' };

/** The Preact module that answers a React request: `react-dom/client` -> `preact/compat/client`. */
function preactModuleFor(request) {
  const pkg = request === 'react-dom' || request.startsWith('react-dom/') ? 'react-dom' : 'react';
  return `${REACT_ALIASES[pkg]}${request.slice(pkg.length)}`;
}

// The React requests the apps and their libraries make.
const REACT_REQUESTS = ['react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'react/jsx-dev-runtime'];

/**
 * Shared singletons for one app.
 * @param {{ framework: 'react' | 'solid', unshare?: string[] }} options
 *   `framework: 'react'` is React's API as Preact's compat layer runs it (REACT_ALIASES).
 *   `unshare` drops packages from sharing; it exists only for the negative-control build that proves
 *   the singleton check can fail.
 */
export function sharedDependencies({ framework, unshare = [] }) {
  const shared = {
    rxjs: singleton('rxjs'),
    // Not @parley/contracts: it holds no state (types, schemas, constants), and a remote built later
    // than its host must use the contracts it was built with — a shared copy from an older shell
    // lacks every export added since (version-skew.spec.ts). Apps agree by CONTRACT_VERSION instead.
    '@parley/event-bus': singleton('@parley/event-bus'),
    '@parley/signaling': singleton('@parley/signaling'),
    // The shell creates the page's one messenger; chat and call reach it through `messenger()`.
    '@parley/messenger': singleton('@parley/messenger'),
    // The crypto lib fails loudly on a version mismatch rather than running two protocol copies.
    '@parley/signal-protocol': singleton('@parley/signal-protocol', { strictVersion: true }),
  };
  if (framework === 'react') {
    // React's API comes from Preact's compat layer (issue 20: react-dom alone was ~58 kB brotli on the
    // returning user's path). It is shared under Preact's names, never `react`: an older remote that
    // asks for `react` ^19 finds no provider in a newer shell and loads its own React, and a newer
    // remote in an older shell (which provides only `react`) loads its own Preact. Each app mounts
    // its own root, so the two never need to be one instance (version-skew.spec.ts).
    shared.preact = singleton('preact');
    shared['preact/'] = singleton('preact');
    // The requests the apps' code and libraries make (`react`, `react-dom/client`, the JSX runtime),
    // matched by Module Federation before resolution, so each needs its own entry pointing at Preact.
    for (const request of REACT_REQUESTS) {
      const target = preactModuleFor(request);
      shared[request] = singleton('preact', { import: target, shareKey: target });
    }
  }
  if (framework === 'solid') {
    shared['solid-js'] = singleton('solid-js');
    shared['solid-js/'] = singleton('solid-js');
  }
  for (const name of unshare) {
    for (const [key, config] of Object.entries(shared)) {
      const shareKey = config.shareKey ?? key;
      if (shareKey === name || shareKey.startsWith(`${name}/`)) delete shared[key];
    }
  }
  return shared;
}

/** Packages named in PARLEY_UNSHARE (comma separated): the negative-control build only. */
export function unsharedFromEnv() {
  return (process.env.PARLEY_UNSHARE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
