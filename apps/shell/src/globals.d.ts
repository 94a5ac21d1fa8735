/** The shell's own version, injected at build time from its package.json. */
declare const __SHELL_VERSION__: string;
