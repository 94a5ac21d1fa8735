/** The call app's own version, injected at build time from its package.json. */
declare const __CALL_VERSION__: string;
