import { partLoader } from './part-loader.js';

/** What the open-conversation chunk provides (open-conversation.ts). */
export type OpenConversationParts = typeof import('./open-conversation.js');

/**
 * The open conversation, the Calls view and message search: one chunk of this app (under its
 * Subresource Integrity), fetched when one of them is opened or at the first idle moment after the
 * conversation list shows (issue 20: the list is usable without it).
 */
export const openConversationParts = partLoader<OpenConversationParts>('the open conversation', () => import('./open-conversation.js'));

/** Fetches the chunk ahead of use (at the first idle moment); a failure shows where a part is opened. */
export const prefetchOpenConversation = (): void => void openConversationParts.load();
