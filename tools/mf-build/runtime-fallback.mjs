// A remote's entry that uses the Module Federation runtime its host provides, and falls back to a full
// entry of its own when the host provides none (issue 20).
//
// Each remote is built twice from the same source: `dist/` with the runtime core external (read from
// `self._FEDERATION_RUNTIME_CORE`, which the shell sets: `provideExternalRuntime`) and no other part
// of the runtime but the bundler runtime's small pieces (remote-bundler-runtime.mjs), and `dist/full/`
// with the whole runtime bundled, as every build was before. The slim `remoteEntry.js` is then wrapped
// here: when the page's shell provides the runtime core of exactly the version this remote was built
// against, the slim code runs as it is; otherwise (an older shell, or one built with another runtime)
// the entry defines a stand-in container that loads `full/remoteEntry.js` and hands `init` and `get`
// to it — the host's runtime awaits both, so the stand-in may answer later.
//
// Integrity: the manifest's SRI covers the wrapped entry, whose bytes pin the full entry's sha384; the
// full entry, like the slim one, checks each chunk it loads against its own SRI map. Nothing is loaded
// that is not covered by the release's chain.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRECOMPRESSED, precompressFolder } from './precompress.mjs';

/** Where the full build of a remote goes, inside its dist (published and served with the rest). */
export const FULL_RUNTIME_DIR = 'full';

/** The entry file of every remote (pluginModuleFederation's `filename`). */
export const REMOTE_ENTRY = 'remoteEntry.js';

const NAME = /^[A-Za-z_$][\w$]*$/;
const VERSION = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/;
const SRI = /^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/;

/** sha384 Subresource Integrity of some bytes. */
export function sha384Integrity(bytes) {
  return `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
}

/**
 * The wrapped entry: `slimSource` (a `var <name>` container script built with the runtime core
 * external) runs only when the page provides runtime core `runtimeVersion`; otherwise a stand-in
 * container loads `fullEntry` (relative to this script) with `fullIntegrity`.
 * @param {string} slimSource
 * @param {{ name: string, runtimeVersion: string, fullEntry: string, fullIntegrity: string }} options
 */
export function withRuntimeFallback(slimSource, { name, runtimeVersion, fullEntry, fullIntegrity }) {
  if (!NAME.test(name)) throw new Error(`runtime fallback: "${name}" is not a container name`);
  if (!VERSION.test(runtimeVersion)) throw new Error(`runtime fallback: "${runtimeVersion}" is not a version`);
  if (!SRI.test(fullIntegrity)) throw new Error(`runtime fallback: "${fullIntegrity}" is not an SRI hash`);
  // The wrapping puts the slim script inside a block: only sound for the shape rspack emits for a
  // `var` library (a declaration, then one function expression assigning it), checked here.
  if (!slimSource.startsWith(`var ${name};(`)) throw new Error(`runtime fallback: the slim entry does not start with "var ${name};(" — the wrapping would not be sound`);
  if (slimSource.includes('//# sourceMappingURL=')) throw new Error('runtime fallback: the slim entry names a source map, which the wrapping would shift');
  const provided = `(function(g){var c=g._FEDERATION_RUNTIME_CORE,f=g._FEDERATION_RUNTIME_CORE_FROM;return!!(c&&f&&f.version===${JSON.stringify(runtimeVersion)})})(self)`;
  return [
    `/* ${name}: uses the Module Federation runtime ${runtimeVersion} the shell provides; otherwise loads ${fullEntry}, which carries its own (tools/mf-build/runtime-fallback.mjs). */`,
    `if(${provided}){`,
    slimSource.trimEnd(),
    `}else{var ${name}=(${compactSource(standInContainer)})(self,document,${JSON.stringify(name)},${JSON.stringify(fullEntry)},${JSON.stringify(fullIntegrity)});}`,
    '',
  ].join('\n');
}

/** A function's source without its comment lines and indentation (it is written with every statement ended by `;`). */
function compactSource(fn) {
  return fn
    .toString()
    .replace(/^\s*\/\/.*\n/gm, '')
    .replace(/\n\s*/g, '');
}

/**
 * A container whose `init` and `get` wait for the full entry, loaded next to the current script with
 * its integrity. Serialized into the entry, so it uses nothing from this module's scope.
 * @param {typeof globalThis} global
 * @param {Document} document
 * @param {string} name
 * @param {string} fullEntry
 * @param {string} integrity
 */
function standInContainer(global, document, name, fullEntry, integrity) {
  var current = document.currentScript;
  var standIn;
  var loaded = new Promise(function (resolve, reject) {
    if (!current || !current.src) return reject(new Error(name + ': cannot tell where its full entry lives (no current script)'));
    var script = document.createElement('script');
    script.src = new URL(fullEntry, current.src).href;
    script.integrity = integrity;
    script.crossOrigin = 'anonymous';
    script.async = true;
    if (current.nonce) script.nonce = current.nonce;
    script.onload = function () {
      // The full entry's `var <name>` replaced this stand-in on the global: keep the real one here
      // and put the stand-in back, so whoever looks the container up again gets the same object.
      var container = global[name];
      global[name] = standIn;
      if (container && container !== standIn && typeof container.init === 'function' && typeof container.get === 'function') resolve(container);
      else reject(new Error(name + ': its full entry defined no container'));
    };
    script.onerror = function () {
      reject(new Error(name + ': its full entry could not be loaded (network or integrity)'));
    };
    document.head.appendChild(script);
  });
  // Nobody may ask before the host's init; a failure is reported to whoever asks, not as unhandled.
  loaded.catch(function () {});
  standIn = {
    init: function (shareScope, initScope, options) {
      return loaded.then(function (container) {
        return container.init(shareScope, initScope, options);
      });
    },
    get: function (module, getScope) {
      return loaded.then(function (container) {
        return container.get(module, getScope);
      });
    },
  };
  return standIn;
}

/** The Module Federation version both the slim build's bundler runtime and the shell's provided core come from. */
export function runtimeCoreVersion(nodeModules) {
  const version = (pkg) => JSON.parse(readFileSync(join(nodeModules, '@module-federation', pkg, 'package.json'), 'utf8')).version;
  const core = version('runtime-core');
  // The shell's plugin announces its own version as the provided core's: they must be one release.
  const injector = version('inject-external-runtime-core-plugin');
  if (core !== injector) throw new Error(`runtime fallback: runtime-core ${core} but inject-external-runtime-core-plugin ${injector}`);
  return core;
}

/**
 * After both builds of a remote: wraps `dist/remoteEntry.js` (slim) around the pinned `dist/full/`
 * entry and compresses it again. Returns the full entry's integrity.
 * @param {string} distDir
 * @param {{ name: string, runtimeVersion: string }} options
 */
export async function finishRemoteEntry(distDir, { name, runtimeVersion }) {
  const fullEntry = `${FULL_RUNTIME_DIR}/${REMOTE_ENTRY}`;
  const fullIntegrity = sha384Integrity(readFileSync(join(distDir, fullEntry)));
  const slimFile = join(distDir, REMOTE_ENTRY);
  const slim = readFileSync(slimFile, 'utf8');
  if (slim.startsWith(`/* ${name}: uses the Module Federation runtime`)) throw new Error(`runtime fallback: ${slimFile} is already wrapped: build again`);
  writeFileSync(slimFile, withRuntimeFallback(slim, { name, runtimeVersion, fullEntry, fullIntegrity }));
  // The slim build's compressed copies stand for the unwrapped bytes: made again.
  for (const { suffix } of PRECOMPRESSED) rmSync(slimFile + suffix, { force: true });
  await precompressFolder(distDir);
  return fullIntegrity;
}
