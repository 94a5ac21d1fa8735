/** The call app's own version, injected at build time from its package.json. */
declare const __CALL_VERSION__: string;
/** True only in builds for the browser tests (tools/mf-build/test-hooks.mjs); undefined in Node. */
declare const __PARLEY_TEST_HOOKS__: boolean | undefined;
