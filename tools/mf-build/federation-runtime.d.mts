/** The `experiments` option of pluginModuleFederation for one app: the runtime parts it does not use are dropped. */
export function federationRuntimeExperiments(options: { loadsRemotes: boolean; externalRuntime?: boolean }): {
  provideExternalRuntime?: true;
  externalRuntime?: true;
  optimization: { target: 'web'; disableSnapshot: true; disableRemote?: true };
};
/** Which of its two builds a remote's rsbuild run makes (slim into dist, or full into dist/full). */
export function remoteRuntimeBuild(options: { env: Record<string, string | undefined>; command: string }): { externalRuntime: boolean; distRoot: string };
/** The module a remote's slim build uses for `@module-federation/webpack-bundler-runtime` (remote-bundler-runtime.mjs). */
export const REMOTE_BUNDLER_RUNTIME: string;
/** The modules of a build that a slim remote build must not carry (its own federation runtime). */
export function federationRuntimeLeftIn(moduleNames: readonly string[]): string[];
/** For a remote's slim build: the bundler runtime without a runtime of its own, checked after the build. */
export function pluginRemoteBundlerRuntime(options: { enabled: boolean }): import('@rsbuild/core').RsbuildPlugin;
