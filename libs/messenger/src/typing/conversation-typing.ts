import type { Clock } from '@parley/clock';
import { type DeliverFrame, TYPING_MAX_GROUP_MEMBERS, type TypingContent } from '@parley/contracts';
import type { Observable } from 'rxjs';
import type { ContactDirectory } from '../contact-directory.js';
import { type FailureSink, inBackground } from '../errors.js';
import type { GroupStore } from '../group-store.js';
import type { MessengerSelf } from '../signal-sessions.js';
import { TypingIndicators } from './typing-indicators.js';
import { TypingSender } from './typing-sender.js';

/** What typing indicators are built from. */
export interface ConversationTypingOptions {
  readonly self: MessengerSelf;
  readonly clock: Clock;
  readonly groups: GroupStore;
  readonly directory: Pick<ContactDirectory, 'known'>;
  /** Pairwise to every device of a user (never stored on the way: see TypingContentSchema). */
  readonly sendContent: (toUserId: string, content: TypingContent) => Promise<void>;
  readonly onFailure: FailureSink;
}

/**
 * Typing indicators for 1:1 and group chats: who gets this user's (the peer, or a group's other
 * members up to {@link TYPING_MAX_GROUP_MEMBERS}; never someone this device does not know or whose
 * new safety number is not accepted), and whose this device shows (only from a peer in their own
 * 1:1 chat, or from a member of a small enough group).
 */
export class ConversationTyping {
  private readonly sender: TypingSender;
  private readonly indicators: TypingIndicators;

  constructor(private readonly options: ConversationTypingOptions) {
    this.indicators = new TypingIndicators(options.clock);
    this.sender = new TypingSender(options.clock, (conversationId, action) => inBackground(this.send(conversationId, action), options.onFailure));
  }

  /** The user's draft in `conversationId` changed (see TypingSender). */
  draftChanged(conversationId: string, draft: string): void {
    this.sender.draftChanged(conversationId, draft);
  }

  /** Who types in `conversationId` now (user ids). */
  typing$(conversationId: string): Observable<readonly string[]> {
    return this.indicators.typing$(conversationId);
  }

  /** The route for delivered `typing` content: shown (or ignored), never on the bus, never stored. */
  readonly receive = async (frame: DeliverFrame, content: TypingContent): Promise<null> => {
    const { userId } = frame.from;
    if (userId === this.options.self.userId) return null;
    const conversationId = content.groupId ?? userId;
    if (content.groupId !== undefined) {
      const group = await this.options.groups.getGroup(content.groupId);
      if (group === undefined || !group.active || group.members.length > TYPING_MAX_GROUP_MEMBERS || !group.members.some((m) => m.userId === userId)) return null;
    } else if ((await this.options.directory.known(userId)) === undefined) {
      return null;
    }
    this.indicators.receive(conversationId, userId, content.action, frame.serverTimestamp ?? content.at);
    return null;
  };

  /** Says "stopped" wherever this user was typing, and forgets who else was (sign-out). */
  close(): void {
    this.sender.stopAll();
    this.indicators.close();
  }

  private async send(conversationId: string, action: TypingContent['action']): Promise<void> {
    const { self, clock, groups, directory, sendContent } = this.options;
    const at = clock.now();
    const group = await groups.getGroup(conversationId);
    if (group !== undefined) {
      if (!group.active || group.members.length > TYPING_MAX_GROUP_MEMBERS) return;
      const others = group.members.filter((m) => m.userId !== self.userId);
      await Promise.all(others.map((m) => sendContent(m.userId, { type: 'typing', action, groupId: conversationId, at })));
      return;
    }
    const contact = await directory.known(conversationId);
    if (contact === undefined || conversationId === self.userId || contact.pendingIdentityKey !== undefined) return;
    await sendContent(conversationId, { type: 'typing', action, at });
  }
}
