// A returning browser knows, from the last manifest it accepted, which chat release it will most
// likely load: hinting it to the browser at start-up lets the chat's entry download while the shell
// opens the device session and asks for a fresh manifest, instead of after (issue 20).
//
// Only a hint: what runs is still only what the fresh, verified manifest names, loaded with its SRI
// (integrity-plugin.ts). The browser reuses the preloaded response only for a script with the same
// URL, CORS mode and integrity; a different release is simply fetched again.
import { LAST_SIGNED_MANIFEST_KEY } from './stored-manifest.js';

const HTTP_URL = /^https?:\/\/[^\s"'<>]+$/;
const SRI = /^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/;

/** The chat entry (URL and integrity) the stored envelope names, or null when it names none that looks sound. */
export function lastChatEntry(storedEnvelope: string | null): { entry: string; integrity: string } | null {
  if (!storedEnvelope) return null;
  try {
    const envelope = JSON.parse(storedEnvelope) as { manifest?: unknown };
    if (typeof envelope.manifest !== 'string') return null;
    const chat = (JSON.parse(envelope.manifest) as { remotes?: { chat?: { entry?: unknown; integrity?: unknown } } }).remotes?.chat;
    if (typeof chat?.entry !== 'string' || typeof chat.integrity !== 'string') return null;
    return HTTP_URL.test(chat.entry) && SRI.test(chat.integrity) ? { entry: chat.entry, integrity: chat.integrity } : null;
  } catch {
    return null;
  }
}

/** Adds `<link rel="preload" as="script">` for the last accepted chat entry, with its integrity, cross-origin without credentials. */
export function preloadLastChatEntry(storage: Pick<Storage, 'getItem'>, document: Document): void {
  const chat = lastChatEntry(storage.getItem(LAST_SIGNED_MANIFEST_KEY));
  if (!chat) return;
  const link = document.createElement('link');
  for (const [name, value] of Object.entries({ rel: 'preload', as: 'script', href: chat.entry, integrity: chat.integrity, crossorigin: 'anonymous' })) {
    link.setAttribute(name, value);
  }
  document.head.append(link);
}
