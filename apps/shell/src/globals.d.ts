/** The shell's own version, injected at build time from its package.json. */
declare const __SHELL_VERSION__: string;
/** The manifest signing keys this build trusts (current, then next), pinned at build time. */
declare const __MANIFEST_KEYS__: ReadonlyArray<{ keyId: string; publicKey: string }>;
/** True only in builds for the browser tests (tools/mf-build/test-hooks.mjs); undefined in Node. */
declare const __PARLEY_TEST_HOOKS__: boolean | undefined;
