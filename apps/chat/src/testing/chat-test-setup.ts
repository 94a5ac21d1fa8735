/** What the chat's component tests share: who is signed in, the people they talk to, the open conversation loaded. */
import { beforeAll } from 'vitest';
import { openConversationParts } from '../lazy-open-conversation.js';

/** The remote props of the signed-in user "Me", speaking `locale`. */
export const remoteIn = (locale: string) => ({ session: { userId: 'me', displayName: 'Me', temporary: false }, locale });

export const ADA = { userId: 'u-ada', handle: 'ada', displayName: 'Ada Lovelace' };
export const BOB = { userId: 'u-bob', handle: 'bob', displayName: 'Bob' };

/**
 * The open conversation is a lazily loaded part; a test file that opens one loads it once up front
 * (part-loader.test.tsx tests the wait).
 */
export function loadOpenConversationFirst(): void {
  beforeAll(() => openConversationParts.load());
}
