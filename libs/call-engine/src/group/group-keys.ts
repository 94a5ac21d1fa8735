/**
 * The key schedule of a group call (Signal's group calls, libs/media-e2ee group-sender-keys): this
 * device's sender key goes to every participant over Signal; a newcomer gets only the next,
 * ratcheted generation; when someone leaves, a fresh key goes to those who remain and is used after
 * a short delay. A key for a participant index is accepted only from the user the SFU says holds
 * that index, so one participant cannot speak as another.
 */
import { fromBase64, toBase64 } from '@parley/bytes';
import type { Clock } from '@parley/clock';
import type { GroupKeyContent } from '@parley/contracts';
import type { ObservableScope } from '@parley/event-bus/scope';
import { type GroupKeyMessage, LocalSenderKey } from '@parley/media-e2ee';
import { filter } from 'rxjs';
import { type GroupKeyChannel, type GroupMediaSession, type KeyOrigin, describeError } from './group-call-ports.js';
import type { GroupMembership } from './group-membership.js';

/** Keys that name a participant index the call does not know yet wait this many at most. */
const MAX_EARLY_KEYS = 64;

export interface GroupKeysDeps {
  readonly keys: GroupKeyChannel;
  readonly membership: GroupMembership;
  readonly clock: Clock;
  /** The call's id, once known (a link's comes with the join; keys may come before). */
  readonly callId: () => string | null;
  readonly warn: (message: string) => void;
}

/** This device's sender key in one join, and the media it installs keys on. */
interface Sender {
  readonly media: GroupMediaSession;
  readonly selfIndex: number;
  readonly key: LocalSenderKey;
}

/** The keys of one call; receives the others' while `scope` lasts. */
export class GroupCallKeys {
  private readonly earlyKeys: { from: KeyOrigin; content: GroupKeyContent }[] = [];
  private sender: Sender | null = null;

  constructor(
    scope: ObservableScope,
    private readonly deps: GroupKeysDeps,
  ) {
    // Keys can come before this device learns a link call's id: kept as early keys until then.
    const incoming$ = deps.keys.incoming$.pipe(filter(({ content }) => deps.callId() === null || content.callId === deps.callId()));
    scope.bind(incoming$, ({ from, content }) => this.receive(from, content));
    scope.onEnd(() => this.stop());
  }

  /**
   * A join: a new sender key for this participant index, used by `media` at once and sent to
   * everyone already there; keys that waited for this join are applied.
   */
  start(media: GroupMediaSession, selfIndex: number, others: readonly number[]): void {
    this.stop();
    const key = new LocalSenderKey({ sender: selfIndex, clock: this.deps.clock });
    key.onSwitch((generation, secret) => media.setLocalKey(selfIndex, Number(generation), secret));
    this.sender = { media, selfIndex, key };
    media.setLocalKey(selfIndex, Number(key.current.generation), key.current.secret);
    this.send(key.initialMessages(others));
  }

  /** Someone new: they get the next generation of our key only, so they cannot decrypt what was sent before they came. */
  met(index: number): void {
    void this.sender?.key.onJoin([index]).then((messages) => this.send(messages));
    this.applyEarlyKeys();
  }

  /** Someone left: a fresh key the leaver never sees, used once it had time to arrive. */
  left(remaining: readonly number[]): void {
    void this.sender?.key.onLeave(remaining).then((messages) => this.send(messages));
  }

  /** Keys that came before the participant they name (or before the join) are tried again. */
  applyEarlyKeys(): void {
    const waiting = this.earlyKeys.splice(0);
    for (const { from, content } of waiting) this.receive(from, content);
  }

  /** The join is over (a rejoin makes a new key). */
  stop(): void {
    this.sender?.key.dispose();
    this.sender = null;
  }

  private receive(from: KeyOrigin, content: GroupKeyContent): void {
    const callId = this.deps.callId();
    if (callId !== null && content.callId !== callId) return;
    const sender = this.sender;
    const holder = this.deps.membership.participant(content.sender);
    if (!sender || !holder) {
      // Keys can overtake the SFU's 'joined' event: keep a few until we know who holds the index.
      if (this.earlyKeys.length >= MAX_EARLY_KEYS) this.earlyKeys.shift();
      this.earlyKeys.push({ from, content });
      return;
    }
    if (holder.userId !== from.userId) {
      this.deps.warn(`ignored a media key for participant ${content.sender} sent by another user`);
      return;
    }
    if (content.sender === sender.selfIndex) return;
    sender.media.addPeerKey(content.sender, content.generation, fromBase64(content.secret));
  }

  /** Sends key messages over Signal, once per user (the messenger encrypts to each of their devices). */
  private send(messages: readonly GroupKeyMessage[]): void {
    const callId = this.deps.callId();
    if (callId === null) return;
    const sent = new Set<string>();
    for (const message of messages) {
      const userId = this.deps.membership.participant(message.to)?.userId;
      if (!userId) continue;
      const content: GroupKeyContent = { type: 'group-key', callId, sender: message.sender, generation: Number(message.generation), secret: toBase64(message.secret), reason: message.reason };
      const once = `${userId} ${content.generation}`;
      if (sent.has(once)) continue;
      sent.add(once);
      this.deps.keys.send(userId, content).catch((error: unknown) => this.deps.warn(`a media key could not be sent: ${describeError(error)}`));
    }
  }
}
