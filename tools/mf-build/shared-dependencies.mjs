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
 * Shared singletons for one app.
 * @param {{ framework: 'react' | 'solid', unshare?: string[] }} options
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
    shared.react = singleton('react');
    shared['react-dom'] = singleton('react-dom');
    shared['react-dom/'] = singleton('react-dom');
  }
  if (framework === 'solid') {
    shared['solid-js'] = singleton('solid-js');
    shared['solid-js/'] = singleton('solid-js');
  }
  for (const name of unshare) {
    for (const key of Object.keys(shared)) if (key === name || key.startsWith(`${name}/`)) delete shared[key];
  }
  return shared;
}

/** Packages named in PARLEY_UNSHARE (comma separated): the negative-control build only. */
export function unsharedFromEnv() {
  return (process.env.PARLEY_UNSHARE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
}
