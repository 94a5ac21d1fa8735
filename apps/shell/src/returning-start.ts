// The signed-in shell's chunks, and what the entry starts before the shell's first module runs
// (issue 20). A browser that accepted a manifest before is most likely signed in, and its signed-in
// shell (device session, Shell) is on the critical path right after React: requested from the entry,
// those chunks download alongside the first ones instead of after them (one request-chain link less).
// Only a download: nothing of them renders before the device database says who is signed in, and
// every chunk is checked against its SRI by the bundler's runtime.
//
// The imports live here, in the entry's own chunk, and ShellRoot uses these same functions: one
// import site per module, so the entry's early request and ShellRoot's later one name the same
// chunks (two sites get two chunk groups, and the second would download the module again).
import { prefetchManifest } from './manifest/manifest-prefetch.js';
import { preloadLastChatEntry } from './manifest/preload-chat-entry.js';
import { LAST_MANIFEST_KEY } from './manifest/stored-manifest.js';
import { readDeviceToken } from './session/early-token.js';

/** The device session (protocol store, messenger, relay): loaded on demand, never by a first visit's form. */
export const deviceSession = () => import('./session/device-session.js');
/** The signed-in shell's component. */
export const shellModule = () => import('./Shell.js');
/** What a returning user's shell shows before the device session has started (early-shell.ts). */
export const earlyShellModule = () => import('./session/early-shell.js');
/** Everything the signed-in shell needs, fetched ahead of time. */
export const preloadSignedIn = () => Promise.all([deviceSession(), shellModule()]);
/**
 * What a returning user's conversation list needs: the shell and its early messenger, not the
 * protocol. The device session's chunks are asked for once the chat is on screen (ShellRoot), so
 * they do not share the slow link with the list's.
 */
export const preloadReturning = () => Promise.all([shellModule(), earlyShellModule()]);

/** Whether this browser accepted a manifest before (a returning user); false when storage is unreadable. */
export function looksSignedIn(storage: () => Pick<Storage, 'getItem'>): boolean {
  try {
    return storage().getItem(LAST_MANIFEST_KEY) !== null;
  } catch {
    return false;
  }
}

/**
 * The shell's contract version (@parley/contracts' CONTRACT_VERSION, which a test holds equal): the
 * entry may not import that library, whose chunk would then be on the entry's own path.
 */
export const ENTRY_CONTRACT_VERSION = '1.1.0';

/** Reads the device token and starts the manifest request with it (manifest-prefetch.ts). */
export async function prefetchManifestWithStoredToken(factory: IDBFactory): Promise<void> {
  const token = await readDeviceToken(factory);
  if (token) prefetchManifest(token, ENTRY_CONTRACT_VERSION);
}

/**
 * When `looksSignedIn`: starts the signed-in shell's downloads, hints the last accepted chat entry
 * (preload-chat-entry.ts) and starts the manifest request (`prefetch`). A failure is left to the
 * later, awaited request.
 */
export function startSignedInDownloads(
  storage: () => Pick<Storage, 'getItem'>,
  load: () => Promise<unknown> = preloadReturning,
  page: Document = document,
  prefetch: () => Promise<void> = () => prefetchManifestWithStoredToken(indexedDB),
): void {
  if (!looksSignedIn(storage)) return;
  load().catch(() => {});
  prefetch().catch(() => {});
  preloadLastChatEntry(storage(), page);
}
