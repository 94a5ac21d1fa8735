/** The chat app's own version, injected at build time from its package.json. */
declare const __CHAT_VERSION__: string;
