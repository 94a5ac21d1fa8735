// The Module Federation bundler runtime of a remote's slim build (issue 20): what
// `@module-federation/webpack-bundler-runtime` is to rspack's federation entry (the object whose keys
// it copies onto `__webpack_require__.federation`), without the packages that come with it.
//
// Upstream's index brings `@module-federation/runtime` and, through it, `@module-federation/sdk`
// (~68 kB of source) for one call: `runtime.init(options)`, which finds or creates this container's
// instance of the runtime core's `ModuleFederation`. A remote needs nothing else of them: it loads no
// remotes (`disableRemote`), takes no snapshots (`disableSnapshot`), shares nothing tree-shaken. So
// this module takes upstream's own pieces (consumes, initializeSharing, initContainerEntry, ...: each
// works on the `webpackRequire` it is given) and does that `init` itself, with the runtime core the
// shell provides (`provideExternalRuntime`: `_FEDERATION_RUNTIME_CORE` on the page, the same global
// `externalRuntime` reads; its version the wrapped entry has checked before any of this runs:
// runtime-fallback.mjs).
//
// The core is read when `init` runs, never while this module is evaluated: the call app's SFrame
// worker, which rspack starts with the same federation entry (and which calls `init`: the entry
// declares sharing data in every runtime), has no core, no host and nothing to share.
// Everything below is made per container (this module is bundled into each remote): `S` and
// `bundlerRuntimeOptions` are that container's own objects, as upstream's are.
/* global FEDERATION_BUILD_IDENTIFIER */
import { attachShareScopeMap } from '@module-federation/webpack-bundler-runtime/dist/attachShareScopeMap.js';
import { consumes } from '@module-federation/webpack-bundler-runtime/dist/consumes.js';
import { initContainerEntry } from '@module-federation/webpack-bundler-runtime/dist/initContainerEntry.js';
import { initializeSharing } from '@module-federation/webpack-bundler-runtime/dist/initializeSharing.js';
import { installInitialConsumes } from '@module-federation/webpack-bundler-runtime/dist/installInitialConsumes.js';

/** The build's identifier (DefinePlugin, from the federation plugin), as `@module-federation/runtime` reads it. */
const BUILD_ID = typeof FEDERATION_BUILD_IDENTIFIER !== 'undefined' ? FEDERATION_BUILD_IDENTIFIER : '';

/** `@module-federation/runtime`'s getGlobalFederationInstance: this container's instance, if one was made. */
function existingInstance(core, name, version) {
  return core.CurrentGlobal.__FEDERATION__.__INSTANCES__.find((instance) => {
    if (BUILD_ID && instance.options.id === BUILD_ID) return true;
    if (instance.options.name === name && !instance.options.version && !version) return true;
    return instance.options.name === name && version && instance.options.version === version;
  });
}

/**
 * `@module-federation/runtime`'s `init`: the container's instance, made (and registered with the page's
 * federation global) on first use, given the options again otherwise. Upstream also keeps it as its
 * package's module-wide default, for that package's `loadRemote` and the like, which nothing in a
 * remote calls. Where the page has no core: nothing in a worker, an error in a page.
 */
function initRuntime(options) {
  const core = globalThis._FEDERATION_RUNTIME_CORE;
  if (!core) {
    // A worker rspack started with the federation entry: no host, no container, nothing to share.
    if (typeof document === 'undefined') return undefined;
    throw new Error(`${options.name}: the page provides no Module Federation runtime core (this slim build needs the shell's)`);
  }
  const normalized = { ...options, id: options.id || '' };
  const instance = existingInstance(core, options.name, options.version);
  if (instance) {
    instance.initOptions(normalized);
    return instance;
  }
  const Federation = core.getGlobalFederationConstructor() || core.ModuleFederation;
  const created = new Federation({ id: `${options.name}@${options.version || Date.now()}`, ...normalized });
  core.setGlobalFederationInstance(created);
  return created;
}

/**
 * `@module-federation/webpack-bundler-runtime`'s `init`. Upstream also adds a plugin for tree-shaken
 * shared modules, which does nothing unless the build shares some that way (none here: see below).
 */
function init({ webpackRequire }) {
  const { initOptions } = webpackRequire.federation;
  if (!initOptions) throw new Error('initOptions is required!');
  return initRuntime(initOptions);
}

/** Tree-shaken shared modules (`shared[...].treeShaking`) need `@module-federation/runtime` in the remote: not supported here. */
function getSharedFallbackGetter() {
  throw new Error('remote-bundler-runtime: tree-shaken shared modules need the full federation runtime (build without externalRuntime)');
}

export default {
  runtime: { init: initRuntime },
  instance: undefined,
  initOptions: undefined,
  bundlerRuntime: {
    remotes: undefined,
    consumes,
    I: initializeSharing,
    S: {},
    installInitialConsumes,
    initContainerEntry,
    init,
    getSharedFallbackGetter,
  },
  attachShareScopeMap,
  bundlerRuntimeOptions: {},
};
