/** The `experiments` option of pluginModuleFederation for one app: the runtime parts it does not use are dropped. */
export function federationRuntimeExperiments(options: { loadsRemotes: boolean; externalRuntime?: boolean }): {
  provideExternalRuntime?: true;
  externalRuntime?: true;
  optimization: { target: 'web'; disableSnapshot: true; disableRemote?: true };
};
/** Which of its two builds a remote's rsbuild run makes (slim into dist, or full into dist/full). */
export function remoteRuntimeBuild(options: { env: Record<string, string | undefined>; command: string }): { externalRuntime: boolean; distRoot: string };
