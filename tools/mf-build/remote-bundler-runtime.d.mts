/** The federation object rspack's federation entry copies onto `__webpack_require__.federation` (remote-bundler-runtime.mjs). */
declare const federation: {
  runtime: { init(options: { name: string; version?: string; id?: string; [key: string]: unknown }): unknown };
  instance: undefined;
  initOptions: undefined;
  bundlerRuntime: Record<string, unknown> & { S: Record<string, unknown>; init(options: { webpackRequire: { federation: { initOptions?: { name: string } } } }): unknown };
  attachShareScopeMap: (webpackRequire: unknown) => void;
  bundlerRuntimeOptions: Record<string, unknown>;
};
export default federation;
