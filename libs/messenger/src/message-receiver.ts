import { fromBase64, fromUtf8, utf8 } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import { type Content, ContentSchema, type DeliverFrame, type ReceiptContent, type TextContent } from '@parley/contracts';
import { decodePreKeySignalMessage, isSignalProtocolError, type SignalProtocolStore } from '@parley/signal-protocol';
import { DeliveryDeferred } from '@parley/signaling';
import type { ContactDirectory } from './contact-directory.js';
import type { ConversationChanges } from './conversation-changes.js';
import type { ConversationLog } from './conversation-log.js';
import type { PairwiseFanOut } from './device-fan-out.js';
import { type FailureSink, inBackground, MessengerError, toMessengerError } from './errors.js';
import type { ContactRecord, HistoryStore } from './history-store.js';
import type { IdentityQuarantine } from './identity-quarantine.js';
import { identityKeyOf, type MessengerSelf, SENDER_KEY_MESSAGE_TYPE, sessionWith } from './signal-sessions.js';

/**
 * The copy of a message to this account's other devices goes out as its own `send` with this
 * suffix on the id: a `send` id is idempotent per sending device, so the copy cannot reuse the
 * peer's id; receivers strip it, so every device keys the message by the same id.
 */
export const SELF_COPY_SUFFIX = '.self';

/** Where the relay lets a decrypter publish call signaling before it has finished (libs/signaling EarlyPublisher). */
export interface EarlyContent {
  publish(content: Content): boolean;
}

/** Handles one type of decrypted content; resolves what goes on the bus (null: nothing). */
export type ContentHandler<T extends Content['type']> = (frame: DeliverFrame, content: Extract<Content, { readonly type: T }>) => Promise<Content | null>;

/** Where content other than texts and receipts goes (group chats, scheduled calls). */
export interface ReceiveRoutes {
  /** Group texts (SenderKeyMessages, type 7), decrypted with the sender's key. */
  readonly senderKeyMessage?: (frame: DeliverFrame) => Promise<void>;
  /** Per content type; a type without a handler goes on the bus as it is. */
  readonly content?: { readonly [T in Content['type']]?: ContentHandler<T> };
}

/** What the receiver is built from. */
export interface MessageReceiverOptions {
  readonly self: MessengerSelf;
  readonly store: SignalProtocolStore;
  readonly history: HistoryStore;
  readonly directory: ContactDirectory;
  readonly quarantine: IdentityQuarantine;
  readonly log: ConversationLog;
  readonly changes: ConversationChanges;
  /** Receipts go back through it. */
  readonly fanOut: PairwiseFanOut;
  readonly clock: WallClock;
  readonly newMessageId: () => string;
  readonly onFailure: FailureSink;
  readonly routes?: ReceiveRoutes;
}

/**
 * Everything that arrives (Signal-Desktop's MessageReceiver): decrypts a delivered frame, holds it
 * when its sender's identity changed, routes the content by type, keeps texts (a delivered receipt
 * goes back) and moves ticks on receipts; sends read receipts for what the user read.
 */
export class MessageReceiver {
  constructor(private readonly options: MessageReceiverOptions) {}

  /**
   * RelayClient's `decrypt`: handles a delivered message before the relay acks it. Resolves the
   * content for the bus, or `null` for a message already handled (or held back because its
   * sender's identity changed); throws for one that can never be decrypted.
   */
  readonly decrypt = async (frame: DeliverFrame, early?: EarlyContent): Promise<Content | null> => {
    const { routes } = this.options;
    if (frame.type === SENDER_KEY_MESSAGE_TYPE && routes?.senderKeyMessage !== undefined) {
      await routes.senderKeyMessage(frame);
      return null;
    }
    const content = await this.decryptPairwise(frame, early);
    if (content === null) return null;
    const handler = routes?.content?.[content.type] as ContentHandler<typeof content.type> | undefined;
    return handler === undefined ? content : handler(frame, content);
  };

  /** Marks incoming 1:1 messages read here and sends read receipts to the peer and this account's other devices. */
  async markRead(conversationId: string, messageIds: readonly string[]): Promise<void> {
    const { log, changes, fanOut, newMessageId, clock, self, onFailure } = this.options;
    const newlyRead: string[] = [];
    for (const messageId of messageIds) {
      if (await log.markRead(conversationId, messageId)) newlyRead.push(messageId);
    }
    if (newlyRead.length === 0) return;
    changes.changed(conversationId);
    const receipt = utf8(JSON.stringify({ type: 'receipt', kind: 'read', messageIds: newlyRead, at: clock.now() } satisfies ReceiptContent));
    await fanOut.send(conversationId, newMessageId(), receipt).catch((error: unknown) => {
      throw toMessengerError(error);
    });
    // This account's other devices mark them read too.
    inBackground(fanOut.send(self.userId, newMessageId(), receipt), onFailure);
  }

  /** Decrypts what was held from `userId` (its new identity was just accepted), then forgets it. */
  async releaseHeld(userId: string): Promise<void> {
    const { quarantine, onFailure } = this.options;
    const held = await quarantine.heldFrom(userId);
    for (const frame of held) {
      try {
        await this.decrypt(frame);
      } catch (error) {
        onFailure(toMessengerError(error));
      }
    }
    // Only now: a reload in between decrypts them again, as duplicates.
    await quarantine.release(held);
  }

  /** Signal-decrypts a pairwise message; texts and receipts are handled here. */
  private async decryptPairwise(frame: DeliverFrame, early?: EarlyContent): Promise<Content | null> {
    const { self, store, directory, quarantine, clock } = this.options;
    const { userId, deviceId } = frame.from;
    const isSelf = userId === self.userId;
    if (frame.type === undefined) throw new MessengerError('invalid', 'a delivered message without its ciphertext type');
    const address = { name: userId, deviceId };
    const bytes = fromBase64(frame.ciphertext);
    let contact: ContactRecord;
    try {
      contact = await directory.contactFor(userId);
    } catch (error) {
      // Nothing is spent yet (no key used, nothing stored): defer rather than lose the message.
      if (error instanceof MessengerError && error.code === 'network') {
        throw new DeliveryDeferred('looking up the sender failed on the network', { cause: error });
      }
      throw error;
    }
    if (frame.type === 3) {
      const claimed = decodePreKeySignalMessage(bytes).identityKey;
      if (!claimed.equals(identityKeyOf(contact.identityKey))) {
        if (isSelf) throw new MessengerError('identity-untrusted', 'a device of this account used another identity key');
        await directory.identityChanged(userId, claimed);
        await quarantine.hold(frame);
        return null;
      }
    }
    if (!contact.deviceIds.includes(deviceId) && !(isSelf && deviceId === self.deviceId)) {
      contact = await directory.addDevices(userId, [deviceId]);
    }
    let plaintext: Uint8Array;
    // Call signaling goes on the bus as soon as it is decrypted, while the session state is stored
    // (a disk write): each step of a call's set-up is one message, and the call engine handles a
    // message that comes twice (a failed store) harmlessly.
    let publishedEarly = false;
    // Parsed once, here when early publishing is on (null: invalid, reported by the parse below).
    let parsed: Content | null = null;
    const onPlaintext = early
      ? (decrypted: Uint8Array) => {
          parsed = contentOrNull(decrypted);
          if (parsed?.type === 'call-signaling') publishedEarly = early.publish(parsed);
        }
      : undefined;
    try {
      plaintext = await sessionWith(store, self, address, clock).decrypt({ type: frame.type, serialized: bytes }, { onPlaintext });
    } catch (error) {
      // Already decrypted once: a redelivery after a reload, or a second envelope of one send.
      if (isSignalProtocolError(error, 'duplicate-message')) return null;
      if (isSignalProtocolError(error, 'untrusted-identity') && frame.type === 3 && !isSelf) {
        await directory.identityChanged(userId, decodePreKeySignalMessage(bytes).identityKey);
        await quarantine.hold(frame);
        return null;
      }
      throw error;
    }
    if (publishedEarly) return null;
    const content = parsed ?? parseContent(plaintext);
    if (content.type === 'text') return (await this.receiveText(frame, content)) ? content : null;
    if (content.type === 'receipt') await this.receiveReceipt(frame, content);
    return content;
  }

  /** Keeps a text once per (sender, message id); false when it was already there. */
  private async receiveText(frame: DeliverFrame, content: TextContent): Promise<boolean> {
    const { self, directory, log, fanOut, newMessageId, clock, onFailure } = this.options;
    const isSelf = frame.from.userId === self.userId;
    const messageId = logicalMessageId(frame);
    if (await log.has(frame.from.userId, messageId)) return false;
    // A copy of what this account sent from another device: it belongs to the peer's conversation.
    const conversationId = isSelf ? content.conversationId : frame.from.userId;
    if (isSelf) await directory.contactFor(conversationId);
    await log.addArrived({ messageId, conversationId, from: frame.from, content });
    if (!isSelf) {
      const receipt: ReceiptContent = { type: 'receipt', kind: 'delivered', messageIds: [messageId], at: clock.now() };
      inBackground(fanOut.send(frame.from.userId, newMessageId(), utf8(JSON.stringify(receipt))), onFailure);
    }
    return true;
  }

  private async receiveReceipt(frame: DeliverFrame, receipt: ReceiptContent): Promise<void> {
    const { self, history, log, changes } = this.options;
    if (frame.from.userId !== self.userId) {
      // The peer's devices report on what this account sent them.
      for (const messageId of receipt.messageIds) {
        const message = await history.getMessage(self.userId, messageId);
        if (message?.conversationId === frame.from.userId) await log.setDelivery(messageId, receipt.kind);
        // A group message: one member's receipt (only members it went to count).
        else if (message?.memberDelivery !== undefined) await log.setMemberDelivery(messageId, frame.from.userId, receipt.kind, receipt.at);
      }
      return;
    }
    // Another device of this account read these: mark them read here too.
    if (receipt.kind !== 'read') return;
    for (const messageId of receipt.messageIds) {
      for (const message of await history.findMessages(messageId)) {
        if (message.direction !== 'in') continue;
        const updated = await log.update(message.from.userId, messageId, (m) => (m.read === true ? m : { ...m, read: true }));
        if (updated.changed) changes.changed(message.conversationId);
      }
    }
  }
}

/** The sender's message id as every device keys it (the self-copy suffix removed). */
function logicalMessageId(frame: DeliverFrame): string {
  const id = frame.messageId ?? frame.id;
  return frame.messageId !== undefined && id.endsWith(SELF_COPY_SUFFIX) ? id.slice(0, -SELF_COPY_SUFFIX.length) : id;
}

/** A delivered message's plaintext as content, or a MessengerError saying why it is not. */
function parseContent(plaintext: Uint8Array): Content {
  let json: unknown;
  try {
    json = JSON.parse(fromUtf8(plaintext));
  } catch {
    throw new MessengerError('invalid', 'a delivered message decrypted to something that is not JSON');
  }
  const parsed = ContentSchema.safeParse(json);
  if (!parsed.success) throw new MessengerError('invalid', 'a delivered message decrypted to content that fails ContentSchema');
  return parsed.data;
}

/** As parseContent, but null instead of throwing (the later, full parse reports it). */
function contentOrNull(plaintext: Uint8Array): Content | null {
  try {
    return parseContent(plaintext);
  } catch {
    return null;
  }
}
