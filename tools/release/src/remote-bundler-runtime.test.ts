// A remote's slim build (tools/mf-build/federation-runtime.mjs): its bundler runtime makes the
// container's federation instance with the runtime core the page provides and nothing of its own,
// and the build is refused if its own runtime comes back.
import * as runtimeCore from '@module-federation/runtime-core';
import { CurrentGlobal, ModuleFederation, setGlobalFederationInstance } from '@module-federation/runtime-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { federationRuntimeLeftIn } from '../../mf-build/federation-runtime.mjs';
import federation from '../../mf-build/remote-bundler-runtime.mjs';

/** What rspack's federation entry hands `init`: the container's own `__webpack_require__`, options set. */
const containerRequire = (name: string) => ({ federation: { initOptions: { name, remotes: [], shared: {} } } });
const instances = () => (CurrentGlobal as unknown as { __FEDERATION__: { __INSTANCES__: ModuleFederation[] } }).__FEDERATION__.__INSTANCES__;

type Page = { _FEDERATION_RUNTIME_CORE?: unknown; document?: unknown };
const page = globalThis as Page;

describe('the bundler runtime of a slim remote', () => {
  // The shell's plugin (inject-external-runtime-core-plugin) puts its core on the page.
  beforeEach(() => {
    page._FEDERATION_RUNTIME_CORE = runtimeCore;
  });
  afterEach(() => {
    delete page._FEDERATION_RUNTIME_CORE;
    delete page.document;
  });

  it('makes the container’s instance with the page’s runtime core once, and leaves the shell’s alone', () => {
    const shell = new ModuleFederation({ name: 'shell', remotes: [] });
    setGlobalFederationInstance(shell);

    const chat = federation.bundlerRuntime.init({ webpackRequire: containerRequire('chat') });
    expect(chat).toBeInstanceOf(ModuleFederation);
    expect((chat as ModuleFederation).name).toBe('chat');
    expect(instances()).toContain(chat);
    // The host initialises the container again (its init): the same instance, given the options again.
    expect(federation.bundlerRuntime.init({ webpackRequire: containerRequire('chat') })).toBe(chat);
    expect(instances().filter((instance) => instance.name === 'chat')).toHaveLength(1);
    expect(instances()).toContain(shell);
  });

  it('in a worker (no core, no document), makes no instance and does not fail: there is nothing to share', () => {
    delete page._FEDERATION_RUNTIME_CORE;
    expect(federation.bundlerRuntime.init({ webpackRequire: containerRequire('call') })).toBeUndefined();
    expect(instances().some((instance) => instance.name === 'call')).toBe(false);
  });

  it('in a page without the core (the entry’s wrapper should have loaded the full build), fails saying so', () => {
    delete page._FEDERATION_RUNTIME_CORE;
    page.document = {};
    expect(() => federation.bundlerRuntime.init({ webpackRequire: containerRequire('call') })).toThrow('the page provides no Module Federation runtime core');
  });

  it('refuses a container without options, as upstream does', () => {
    expect(() => federation.bundlerRuntime.init({ webpackRequire: { federation: {} } })).toThrow('initOptions is required');
  });

  it('has no remotes loader (remotes load none) and refuses tree-shaken shared modules', () => {
    expect(federation.bundlerRuntime.remotes).toBeUndefined();
    expect(() => (federation.bundlerRuntime.getSharedFallbackGetter as () => unknown)()).toThrow('tree-shaken shared modules');
    // Upstream's pieces for sharing and the container entry, one share scope object of its own.
    for (const piece of ['consumes', 'I', 'installInitialConsumes', 'initContainerEntry']) expect(typeof federation.bundlerRuntime[piece]).toBe('function');
    expect(federation.bundlerRuntime.S).toEqual({});
  });
});

describe('the check after a slim remote build', () => {
  it('names the federation runtime modules a slim build carries of its own, and only those', () => {
    const pieces = [
      '@module-federation/runtime/rspack.js!=!data:text/javascript,import%20__module_federation_bundler_runtime__%20from%20%22%2Fx%2Fnode_modules%2F%40module-federation%2Fwebpack-bundler-runtime%2Fdist%2Findex.cjs%22',
      '../../tools/mf-build/remote-bundler-runtime.mjs',
      '../../node_modules/@module-federation/webpack-bundler-runtime/dist/consumes.js',
      '../../node_modules/@module-federation/webpack-bundler-runtime/dist/error-codes/dist/error-codes.js',
      'external "_FEDERATION_RUNTIME_CORE"',
      './src/remote-app.tsx',
    ];
    const ownRuntime = [
      '../../node_modules/@module-federation/sdk/dist/index.cjs',
      '../../node_modules/@module-federation/runtime/dist/index.js',
      '../../node_modules/@module-federation/runtime-core/dist/core.cjs',
      '../../node_modules/@module-federation/error-codes/dist/index.cjs',
      '../../node_modules/@module-federation/webpack-bundler-runtime/dist/index.cjs',
      '../../node_modules/@module-federation/webpack-bundler-runtime/dist/init.js',
    ];
    expect(federationRuntimeLeftIn([...pieces, ...ownRuntime, ownRuntime[0]!])).toEqual(ownRuntime);
    expect(federationRuntimeLeftIn(pieces)).toEqual([]);
  });
});
