import { type Content, ContentSchema, type DeliverFrame, type ReceiptContent, type SendFrame, type TextContent, type TurnCredentials, type User } from '@parley/contracts';
import {
  createFingerprint,
  decodePreKeySignalMessage,
  EcPublicKey,
  isSignalProtocolError,
  parsePreKeyBundle,
  processPreKeyBundle,
  type ProtocolAddress,
  SessionCipher,
  type SignalProtocolStore,
} from '@parley/signal-protocol';
import { type ControlFrame, DeliveryDeferred, type DevicesChanged, type RelayConnection, RelayError } from '@parley/signaling';
import { filter, from, merge, type Observable, of, shareReplay, Subject, switchMap } from 'rxjs';
import { DEFAULT_PREKEY_COUNTS, type PreKeyCounts, replenishPreKeys } from './account-setup.js';
import type { ParleyApiClient } from './api-client.js';
import { fromBase64, fromUtf8, toBase64, utf8 } from './base64.js';
import { DeviceLinker, type LinkRequestOutcome } from './device-link.js';
import { MessengerError, ParleyApiError, queueFull } from './errors.js';
import type { ContactRecord, HistoryStore } from './history-store.js';
import { KeyedQueue } from './keyed-queue.js';
import type {
  CallLinkApi,
  ContactNotice,
  ConversationSummary,
  DeliveryState,
  HistoryMessage,
  Messenger,
  MessengerFailure,
} from './messenger-api.js';

/** Rounds of `devices_changed` → refresh → resend before a send gives up (`devices-changed-loop`). */
export const MAX_DEVICE_ROUNDS = 4;
/** How long a known-empty list of this account's other devices is trusted before asking the server again. */
export const OWN_DEVICES_TTL_MS = 30_000;
/**
 * The copy of a message to this account's other devices goes out as its own `send` with this
 * suffix on the id: a `send` id is idempotent per sending device, so the copy cannot reuse the
 * peer's id; receivers strip it, so every device keys the message by the same id.
 */
export const SELF_COPY_SUFFIX = '.self';
/** Most messages held back per contact while its identity change waits for the user. */
export const MAX_QUARANTINED_PER_CONTACT = 100;
/** Most messages held back over every contact (a flood from many new identities stays bounded). */
export const MAX_QUARANTINED = 500;
/** The contact queue's key for the held messages (no user id is empty). */
const QUARANTINE_QUEUE = '\u0000quarantine';

/** Who this device is. */
export interface MessengerSelf {
  readonly userId: string;
  readonly deviceId: number;
  readonly handle: string;
  readonly displayName: string;
}

/** What the shell hands the messenger. */
export interface MessengerClientOptions {
  readonly self: MessengerSelf;
  /** Authenticated with this device's token. */
  readonly api: ParleyApiClient;
  /** The device's one Signal store. */
  readonly store: SignalProtocolStore;
  readonly history: HistoryStore;
  /** The page's relay connection (only `send` is used; decryption comes in through {@link MessengerClient.decrypt}). */
  readonly relay: Pick<RelayConnection, 'send'>;
  /** Milliseconds since 1970; injectable for tests. */
  readonly now?: () => number;
  /** New client message ids; random UUIDs by default. */
  readonly newMessageId?: () => string;
  /** One-time prekey counts to top up to on `prekeys-low`. */
  readonly preKeyTarget?: PreKeyCounts;
}

const DELIVERY_RANK: Record<DeliveryState, number> = { failed: 0, sending: 0, sent: 1, delivered: 2, read: 3 };

/** The later of two delivery states (ticks never go back; `failed` only replaces `sending`). */
function laterDelivery(current: DeliveryState | undefined, next: DeliveryState): DeliveryState {
  if (current === undefined) return next;
  if (next === 'failed') return current === 'sending' ? 'failed' : current;
  return DELIVERY_RANK[next] > DELIVERY_RANK[current] || current === 'failed' ? next : current;
}

const b64Key = (key: EcPublicKey): string => toBase64(key.serialize());
const keyOf = (b64: string): EcPublicKey => EcPublicKey.deserialize(fromBase64(b64));

/**
 * The messenger: Signal sessions per device over the one relay connection, history and receipts
 * in the {@link HistoryStore}, identity and device notices. The shell creates one with
 * {@link MessengerClient.open}, wires {@link MessengerClient.decrypt} and
 * {@link MessengerClient.handleControlFrame} into its RelayClient, and provides it with
 * `provideMessenger`.
 */
export class MessengerClient implements Messenger {
  readonly self: MessengerSelf;
  readonly conversations$: Observable<readonly ConversationSummary[]>;
  readonly notices$: Observable<readonly ContactNotice[]>;
  /** Failures nobody awaits: delivered receipts, self copies, prekey uploads, refused link requests. */
  readonly failures$: Observable<MessengerFailure>;
  /** The existing device's side of device linking. */
  readonly linker: DeviceLinker;

  private readonly api: ParleyApiClient;
  private readonly store: SignalProtocolStore;
  private readonly history: HistoryStore;
  private readonly relay: Pick<RelayConnection, 'send'>;
  private readonly now: () => number;
  private readonly newMessageId: () => string;
  private readonly preKeyTarget: PreKeyCounts;
  private readonly failures = new Subject<MessengerFailure>();
  /** Conversation ids whose history changed; `null` when only contacts or notices did. */
  private readonly changed = new Subject<string | null>();
  private readonly contactQueue = new KeyedQueue();
  private readonly messageQueue = new KeyedQueue();
  private readonly sendQueue = new KeyedQueue();
  private ownDevicesCheckedAt = Number.NEGATIVE_INFINITY;
  private replenishing: Promise<unknown> | null = null;

  private constructor(options: MessengerClientOptions) {
    this.self = options.self;
    this.api = options.api;
    this.store = options.store;
    this.history = options.history;
    this.relay = options.relay;
    this.now = options.now ?? Date.now;
    this.newMessageId = options.newMessageId ?? (() => crypto.randomUUID());
    this.preKeyTarget = options.preKeyTarget ?? DEFAULT_PREKEY_COUNTS;
    this.failures$ = this.failures.asObservable();
    const reloads = merge(of(null), this.changed);
    this.conversations$ = reloads.pipe(
      switchMap(() => from(this.loadConversations())),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.notices$ = reloads.pipe(
      filter((id) => id === null),
      switchMap(() => from(this.history.listNotices())),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
    this.linker = new DeviceLinker({
      api: this.api,
      store: this.store,
      account: this.self,
      now: this.now,
      onProvisioned: () => {
        this.ownDevicesCheckedAt = Number.NEGATIVE_INFINITY;
      },
    });
  }

  /** A messenger for this device: makes sure this account's own contact record exists and knows its other devices. */
  static async open(options: MessengerClientOptions): Promise<MessengerClient> {
    const messenger = new MessengerClient(options);
    await messenger.ensureOwnRecord();
    try {
      await messenger.refreshOwnDevices();
    } catch {
      // Offline at start-up: the next send asks again.
    }
    return messenger;
  }

  // ── the Messenger interface ─────────────────────────────────────────────────────────────────

  async findUser(handle: string): Promise<ConversationSummary> {
    const user = await this.apiCall(() => this.api.findUserByHandle(handle.trim().toLowerCase()));
    if (user.userId === this.self.userId) throw new MessengerError('invalid', 'that handle is this account');
    const contact = await this.learnContact(user);
    this.changed.next(null);
    return this.summaryOf(contact);
  }

  history$(conversationId: string): Observable<readonly HistoryMessage[]> {
    return merge(of(conversationId), this.changed.pipe(filter((id) => id === conversationId))).pipe(
      switchMap(() => from(this.history.listMessages(conversationId))),
    );
  }

  /**
   * Stores the text as `sending`, sends it to the peer's devices (then `sent`) and a copy to this
   * account's other devices. Rejects with a MessengerError (the message is then `failed`).
   */
  async sendText(conversationId: string, body: string): Promise<HistoryMessage> {
    const messageId = this.newMessageId();
    const content: TextContent = { type: 'text', conversationId, body, sentAt: this.now() };
    if (!ContentSchema.safeParse(content).success) throw new MessengerError('invalid', 'the text is empty or too long');
    const contact = await this.history.getContact(conversationId);
    if (contact === undefined || conversationId === this.self.userId) throw new MessengerError('user-not-found', 'no conversation with this id');
    const message: HistoryMessage = {
      messageId,
      conversationId,
      direction: 'out',
      from: { userId: this.self.userId, deviceId: this.self.deviceId },
      body,
      sentAt: content.sentAt,
      storedAt: this.now(),
      delivery: 'sending',
    };
    await this.history.putMessage(message);
    this.changed.next(conversationId);
    const plaintext = utf8(JSON.stringify(content));
    try {
      await this.sendToAccount(conversationId, messageId, plaintext);
    } catch (error) {
      await this.setDelivery(messageId, 'failed');
      throw this.toFailure(error);
    }
    const sent = await this.setDelivery(messageId, 'sent');
    this.background(this.sendToAccount(this.self.userId, messageId + SELF_COPY_SUFFIX, plaintext));
    return sent ?? message;
  }

  async markRead(conversationId: string, messageIds: readonly string[]): Promise<void> {
    const newlyRead: string[] = [];
    for (const messageId of messageIds) {
      const updated = await this.updateMessage(conversationId, messageId, (message) =>
        message.direction === 'in' && message.read !== true ? { ...message, read: true } : message,
      );
      if (updated.changed) newlyRead.push(messageId);
    }
    if (newlyRead.length === 0) return;
    this.changed.next(conversationId);
    const receipt = utf8(JSON.stringify({ type: 'receipt', kind: 'read', messageIds: newlyRead, at: this.now() } satisfies ReceiptContent));
    await this.sendToAccount(conversationId, this.newMessageId(), receipt).catch((error) => {
      throw this.toFailure(error);
    });
    // This account's other devices mark them read too.
    this.background(this.sendToAccount(this.self.userId, this.newMessageId(), receipt));
  }

  async safetyNumber(userId: string): Promise<string> {
    const contact = await this.history.getContact(userId);
    if (contact === undefined) throw new MessengerError('user-not-found', 'no contact with this id');
    const identity = await this.store.getIdentityKeyPair();
    const { displayable } = createFingerprint({
      localIdentifier: utf8(this.self.userId),
      localKey: identity.publicKey,
      remoteIdentifier: utf8(userId),
      remoteKey: keyOf(contact.identityKey),
    });
    return displayable.replace(/(\d{5})(?=\d)/g, '$1 ');
  }

  async acceptIdentity(userId: string): Promise<void> {
    const accepted = await this.contactQueue.run(userId, async () => {
      const contact = await this.history.getContact(userId);
      if (contact?.pendingIdentityKey === undefined) return null;
      const next: ContactRecord = { ...contact, identityKey: contact.pendingIdentityKey, pendingIdentityKey: undefined };
      const key = keyOf(next.identityKey);
      for (const deviceId of next.deviceIds) {
        const address = { name: userId, deviceId };
        // Sessions with the old identity are of no use any more: the next send fetches new bundles.
        await this.cipher(address).archiveCurrentState();
        await this.store.saveIdentity(address, key);
      }
      await this.history.putContact(next);
      return next;
    });
    if (accepted === null) return;
    // The warning, and what was dropped while it showed, are settled by the user's decision.
    await this.editNotices((notices) =>
      notices.filter((notice) => !((notice.kind === 'identity-changed' || notice.kind === 'held-messages-dropped') && notice.userId === userId)),
    );
    const held = (await this.history.listQuarantined()).filter((frame) => frame.from.userId === userId);
    for (const frame of held) {
      try {
        await this.decrypt(frame);
      } catch (error) {
        this.failures.next(this.toFailure(error));
      }
    }
    // Only now: a reload in between decrypts them again, as duplicates.
    await this.contactQueue.run(QUARANTINE_QUEUE, async () =>
      this.history.putQuarantined((await this.history.listQuarantined()).filter((frame) => !sameFrame(frame, held))),
    );
  }

  async sendContent(toUserId: string, content: Exclude<Content, TextContent>): Promise<void> {
    if (!ContentSchema.safeParse(content).success) throw new MessengerError('invalid', `the ${content.type} content fails its schema`);
    // A user not known yet is looked up by sendToAccount (contactFor). Call signaling goes this
    // way, one message per step of a call's set-up, so each read saved here shortens it.
    await this.sendToAccount(toUserId, this.newMessageId(), utf8(JSON.stringify(content))).catch((error) => {
      throw this.toFailure(error);
    });
  }

  async turnCredentials(): Promise<TurnCredentials> {
    return this.apiCall(() => this.api.turnCredentials());
  }

  callLinks(): CallLinkApi {
    // Errors pass through as ParleyApiErrors: the call app tells revoked from expired from unknown.
    const api = this.api;
    return {
      create: (request) => api.createCallLink(request),
      list: () => api.listCallLinks(),
      get: (roomId, verifier) => api.getCallLink(roomId, verifier),
      update: (roomId, change) => api.updateCallLink(roomId, change),
      reset: (roomId, next) => api.resetCallLink(roomId, next),
      revoke: (roomId) => api.revokeCallLink(roomId),
    };
  }

  // ── wiring for the shell ────────────────────────────────────────────────────────────────────

  /**
   * RelayClient's `decrypt`: Signal-decrypts a delivered message and handles it before the relay
   * acks it — texts are stored (and a delivered receipt goes out), receipts update ticks. Resolves
   * the content for the bus, or `null` for a message already handled (or held back because its
   * sender's identity changed); throws for one that can never be decrypted.
   */
  readonly decrypt = async (frame: DeliverFrame, early?: EarlyContent): Promise<Content | null> => {
    const { userId, deviceId } = frame.from;
    const isSelf = userId === this.self.userId;
    if (frame.type === undefined) throw new MessengerError('invalid', 'a delivered message without its ciphertext type');
    const address = { name: userId, deviceId };
    const bytes = fromBase64(frame.ciphertext);
    let contact: ContactRecord;
    try {
      contact = await this.contactFor(userId);
    } catch (error) {
      // Nothing is spent yet (no key used, nothing stored): defer rather than lose the message.
      if (error instanceof MessengerError && error.code === 'network') {
        throw new DeliveryDeferred('looking up the sender failed on the network', { cause: error });
      }
      throw error;
    }
    if (frame.type === 3) {
      const claimed = decodePreKeySignalMessage(bytes).identityKey;
      if (!claimed.equals(keyOf(contact.identityKey))) {
        if (isSelf) throw new MessengerError('identity-untrusted', 'a device of this account used another identity key');
        await this.identityChanged(userId, claimed);
        await this.hold(frame);
        return null;
      }
    }
    if (!contact.deviceIds.includes(deviceId) && !(isSelf && deviceId === this.self.deviceId)) {
      contact = await this.addDevices(userId, [deviceId]);
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
      plaintext = await this.cipher(address).decrypt({ type: frame.type, serialized: bytes }, { onPlaintext });
    } catch (error) {
      // Already decrypted once: a redelivery after a reload, or a second envelope of one send.
      if (isSignalProtocolError(error, 'duplicate-message')) return null;
      if (isSignalProtocolError(error, 'untrusted-identity') && frame.type === 3 && !isSelf) {
        await this.identityChanged(userId, decodePreKeySignalMessage(bytes).identityKey);
        await this.hold(frame);
        return null;
      }
      throw error;
    }
    if (publishedEarly) return null;
    const content = parsed ?? parseContent(plaintext);
    if (content.type === 'text') return (await this.receiveText(frame, content)) ? content : null;
    if (content.type === 'receipt') await this.receiveReceipt(frame, content);
    return content;
  };

  /** RelayClient's `onControlFrame`: tops prekeys up on `prekeys-low`, answers `link-request`. */
  readonly handleControlFrame = async (frame: ControlFrame): Promise<void> => {
    if (frame.t === 'prekeys-low') {
      await this.replenish({ oneTimePreKeys: frame.oneTimePreKeys, kyberOneTimePreKeys: frame.kyberOneTimePreKeys });
      return;
    }
    const outcome: LinkRequestOutcome = await this.linker.handleLinkRequest(frame);
    // 'unknown-link': a code another device of this account made; not ours to answer.
    if (outcome === 'bad-mac' || outcome === 'expired') {
      this.failures.next(new MessengerError('invalid', `a link request was refused: ${outcome}`));
    }
  };

  /** A one-time link code for a new device (`<linkId>-<secret>`), see DeviceLinker. */
  createLinkCode(): Promise<{ readonly code: string; readonly expiresAt: number }> {
    return this.apiCall(() => this.linker.createCode());
  }

  /** Ends the streams (on sign-out). */
  close(): void {
    this.changed.complete();
    this.failures.complete();
  }

  // ── receiving ───────────────────────────────────────────────────────────────────────────────

  /** Stores a text once per (sender, message id); false when it was already there. */
  private async receiveText(frame: DeliverFrame, content: TextContent): Promise<boolean> {
    const isSelf = frame.from.userId === this.self.userId;
    const messageId = logicalMessageId(frame);
    if ((await this.history.getMessage(frame.from.userId, messageId)) !== undefined) return false;
    // A copy of what this account sent from another device: it belongs to the peer's conversation.
    const conversationId = isSelf ? content.conversationId : frame.from.userId;
    if (isSelf && (await this.history.getContact(conversationId)) === undefined) {
      await this.learnContact(await this.apiCall(() => this.api.getUser(conversationId)));
      this.changed.next(null);
    }
    await this.history.putMessage({
      messageId,
      conversationId,
      direction: isSelf ? 'out' : 'in',
      from: { userId: frame.from.userId, deviceId: frame.from.deviceId },
      body: content.body,
      sentAt: content.sentAt,
      storedAt: this.now(),
      ...(isSelf ? { delivery: 'sent' as const } : { read: false }),
    });
    this.changed.next(conversationId);
    if (!isSelf) {
      const receipt: ReceiptContent = { type: 'receipt', kind: 'delivered', messageIds: [messageId], at: this.now() };
      this.background(this.sendToAccount(frame.from.userId, this.newMessageId(), utf8(JSON.stringify(receipt))));
    }
    return true;
  }

  private async receiveReceipt(frame: DeliverFrame, receipt: ReceiptContent): Promise<void> {
    if (frame.from.userId !== this.self.userId) {
      // The peer's devices report on what this account sent them.
      for (const messageId of receipt.messageIds) {
        const message = await this.history.getMessage(this.self.userId, messageId);
        if (message?.conversationId === frame.from.userId) await this.setDelivery(messageId, receipt.kind);
      }
      return;
    }
    // Another device of this account read these: mark them read here too.
    if (receipt.kind !== 'read') return;
    for (const messageId of receipt.messageIds) {
      for (const message of await this.history.findMessages(messageId)) {
        if (message.direction !== 'in') continue;
        const updated = await this.updateMessage(message.from.userId, messageId, (m) => (m.read === true ? m : { ...m, read: true }));
        if (updated.changed) this.changed.next(message.conversationId);
      }
    }
  }

  /**
   * Keeps a message of a contact whose identity changed until the user decides, in the store
   * before the relay acks it. Bounded per contact and overall: past a bound the oldest go, and the
   * user is told how many (a `held-messages-dropped` notice).
   */
  private async hold(frame: DeliverFrame): Promise<void> {
    const dropped = await this.contactQueue.run(QUARANTINE_QUEUE, async () => {
      const earlier = await this.history.listQuarantined();
      // A redelivery (the ack was lost) is held once.
      if (sameFrame(frame, earlier)) return [];
      const { kept, dropped } = boundQuarantine([...earlier, frame]);
      await this.history.putQuarantined(kept);
      return dropped;
    });
    if (dropped.length === 0) return;
    const counts = new Map<string, number>();
    for (const gone of dropped) counts.set(gone.from.userId, (counts.get(gone.from.userId) ?? 0) + 1);
    const at = this.now();
    await this.editNotices((notices) => [
      ...notices.filter((notice) => !(notice.kind === 'held-messages-dropped' && counts.has(notice.userId))),
      ...[...counts].map(([userId, count]) => {
        const before = notices.find((notice) => notice.kind === 'held-messages-dropped' && notice.userId === userId);
        return { kind: 'held-messages-dropped' as const, userId, count: count + (before?.kind === 'held-messages-dropped' ? before.count : 0), at };
      }),
    ]);
  }

  // ── sending ─────────────────────────────────────────────────────────────────────────────────

  /**
   * Encrypts `plaintext` for every device of `userId` (this account: every other device) and
   * sends it as one frame; on `devices_changed` fixes the device list and sessions and sends
   * again, at most MAX_DEVICE_ROUNDS times.
   */
  private sendToAccount(userId: string, frameId: string, plaintext: Uint8Array): Promise<void> {
    return this.sendQueue.run(userId, async () => {
      const isSelf = userId === this.self.userId;
      if (isSelf) await this.refreshOwnDevicesIfUnknown();
      for (let round = 0; round < MAX_DEVICE_ROUNDS; round++) {
        const contact = await this.contactFor(userId);
        if (contact.pendingIdentityKey !== undefined) {
          throw new MessengerError('identity-untrusted', "the contact's identity key changed; accept it before sending");
        }
        const deviceIds = contact.deviceIds.filter((id) => !(isSelf && id === this.self.deviceId));
        // A single-device account has nobody to copy to.
        if (deviceIds.length === 0) return;
        if (await this.ensureSessions(contact, deviceIds)) continue;
        const messages: SendFrame['messages'][number][] = [];
        for (const deviceId of deviceIds) {
          const encrypted = await this.cipher({ name: userId, deviceId }).encrypt(plaintext);
          messages.push({ deviceId, type: encrypted.type === 3 ? 3 : 2, ciphertext: toBase64(encrypted.serialized) });
        }
        try {
          await this.relay.send({ t: 'send', id: frameId, to: userId, messages });
          return;
        } catch (error) {
          if (error instanceof RelayError && error.serverCode === 'devices_changed' && error.devices !== undefined) {
            await this.devicesChanged(userId, error.devices);
            continue;
          }
          // Not retried: the device has to catch up first, which may take days.
          if (error instanceof RelayError && error.serverCode === 'queue_full') throw queueFull(userId, error);
          throw error;
        }
      }
      throw new MessengerError('devices-changed-loop', `the device list of the recipient kept changing over ${MAX_DEVICE_ROUNDS} attempts`);
    });
  }

  /**
   * Starts sessions (from fetched bundles) with every listed device that has no usable one.
   * Returns whether the device list changed meanwhile (devices gone or found), so the caller
   * encrypts for the new list.
   */
  private async ensureSessions(contact: ContactRecord, deviceIds: readonly number[]): Promise<boolean> {
    const without: number[] = [];
    for (const deviceId of deviceIds) {
      if (!(await this.cipher({ name: contact.userId, deviceId }).hasUsableSession())) without.push(deviceId);
    }
    if (without.length === 0) return false;
    const isSelf = contact.userId === this.self.userId;
    // One request for all devices when none has a session (a new contact), else one per device.
    const all = without.length === deviceIds.length && !isSelf;
    const gone: number[] = [];
    const fetchOne = async (deviceId: number) => {
      try {
        return [await this.api.fetchPreKeyBundles(contact.userId, deviceId)];
      } catch (error) {
        // Removed since we last heard of it: drop it rather than fail the send.
        if (error instanceof ParleyApiError && error.code === 'device_not_found') {
          gone.push(deviceId);
          return [];
        }
        throw this.toFailure(error);
      }
    };
    const answers = all
      ? [await this.apiCall(() => this.api.fetchPreKeyBundles(contact.userId))]
      : (await Promise.all(without.map(fetchOne))).flat();
    if (gone.length > 0) await this.devicesChanged(contact.userId, { missing: [], extra: gone, stale: [] });
    const unknownDevices: number[] = [];
    for (const answer of answers) {
      const identityKey = keyOf(answer.identityKey);
      if (!identityKey.equals(keyOf(contact.identityKey))) {
        if (isSelf) throw new MessengerError('identity-untrusted', 'the server offered a device of this account with another identity key');
        await this.identityChanged(contact.userId, identityKey);
        throw new MessengerError('identity-untrusted', "the contact's identity key changed; accept it before sending");
      }
      for (const device of answer.devices) {
        if (!deviceIds.includes(device.deviceId)) unknownDevices.push(device.deviceId);
        else if (!without.includes(device.deviceId)) continue;
        const bundle = await parsePreKeyBundle({
          registrationId: device.registrationId,
          deviceId: device.deviceId,
          preKeyId: device.preKey?.keyId,
          preKeyPublic: device.preKey === undefined ? undefined : fromBase64(device.preKey.publicKey),
          signedPreKeyId: device.signedPreKey.keyId,
          signedPreKeyPublic: fromBase64(device.signedPreKey.publicKey),
          signedPreKeySignature: fromBase64(device.signedPreKey.signature),
          identityKey: fromBase64(answer.identityKey),
          kyberPreKeyId: device.kyberPreKey.keyId,
          kyberPreKeyPublic: fromBase64(device.kyberPreKey.publicKey),
          kyberPreKeySignature: fromBase64(device.kyberPreKey.signature),
        });
        await processPreKeyBundle(this.store, { name: contact.userId, deviceId: device.deviceId }, bundle, this.now);
      }
    }
    // Devices the server listed that we did not know: the next round's send includes them.
    if (unknownDevices.length > 0) await this.addDevices(contact.userId, unknownDevices);
    return gone.length > 0 || unknownDevices.length > 0;
  }

  private async devicesChanged(userId: string, changed: DevicesChanged): Promise<void> {
    for (const deviceId of [...changed.extra, ...changed.stale]) {
      await this.cipher({ name: userId, deviceId }).archiveCurrentState();
    }
    await this.contactQueue.run(userId, async () => {
      const contact = await this.history.getContact(userId);
      if (contact === undefined) return;
      await this.history.putContact({ ...contact, deviceIds: contact.deviceIds.filter((id) => !changed.extra.includes(id)) });
    });
    if (changed.missing.length > 0) await this.addDevices(userId, changed.missing);
  }

  // ── contacts, identities, devices ───────────────────────────────────────────────────────────

  /** The contact record, fetched from the server the first time a user writes. */
  private async contactFor(userId: string): Promise<ContactRecord> {
    const known = await this.history.getContact(userId);
    if (known !== undefined) return known;
    if (userId === this.self.userId) return this.ensureOwnRecord();
    const contact = await this.learnContact(await this.apiCall(() => this.api.getUser(userId)));
    this.changed.next(null);
    return contact;
  }

  /** Records a user as the server describes them; a different identity key than the trusted one becomes a pending change. */
  private async learnContact(user: User): Promise<ContactRecord> {
    const contact = await this.contactQueue.run(user.userId, async () => {
      const known = await this.history.getContact(user.userId);
      const next: ContactRecord =
        known === undefined
          ? { userId: user.userId, handle: user.handle, displayName: user.displayName, identityKey: user.identityKey, deviceIds: user.devices.map((d) => d.deviceId) }
          : { ...known, handle: user.handle, displayName: user.displayName };
      await this.history.putContact(next);
      return next;
    });
    if (contact.identityKey !== user.identityKey) await this.identityChanged(user.userId, keyOf(user.identityKey));
    return (await this.history.getContact(user.userId)) ?? contact;
  }

  private async ensureOwnRecord(): Promise<ContactRecord> {
    return this.contactQueue.run(this.self.userId, async () => {
      const known = await this.history.getContact(this.self.userId);
      if (known !== undefined) return known;
      const identity = await this.store.getIdentityKeyPair();
      const record: ContactRecord = {
        userId: this.self.userId,
        handle: this.self.handle,
        displayName: this.self.displayName,
        identityKey: b64Key(identity.publicKey),
        deviceIds: [],
      };
      await this.history.putContact(record);
      return record;
    });
  }

  private async refreshOwnDevices(): Promise<void> {
    const { devices } = await this.api.listDevices();
    this.ownDevicesCheckedAt = this.now();
    const others = devices.map((d) => d.deviceId).filter((id) => id !== this.self.deviceId);
    await this.contactQueue.run(this.self.userId, async () => {
      const own = await this.history.getContact(this.self.userId);
      if (own !== undefined) await this.history.putContact({ ...own, deviceIds: others });
    });
  }

  private async refreshOwnDevicesIfUnknown(): Promise<void> {
    const own = await this.ensureOwnRecord();
    if (own.deviceIds.length > 0 || this.now() - this.ownDevicesCheckedAt < OWN_DEVICES_TTL_MS) return;
    await this.apiCall(() => this.refreshOwnDevices());
  }

  /** Adds devices to a contact; a contact's device we did not know before gets a `new-device` notice. */
  private async addDevices(userId: string, deviceIds: readonly number[]): Promise<ContactRecord> {
    // Outside the queue: learning a contact takes the queue itself.
    const first = await this.contactFor(userId);
    const { contact, added } = await this.contactQueue.run(userId, async () => {
      const known = (await this.history.getContact(userId)) ?? first;
      const added = deviceIds.filter((id) => !known.deviceIds.includes(id));
      const contact = added.length === 0 ? known : { ...known, deviceIds: [...known.deviceIds, ...added] };
      if (added.length > 0) await this.history.putContact(contact);
      return { contact, added };
    });
    if (added.length > 0 && userId !== this.self.userId) {
      const at = this.now();
      await this.editNotices((notices) => [...notices, ...added.map((deviceId) => ({ kind: 'new-device' as const, userId, deviceId, at }))]);
    }
    return contact;
  }

  /** Remembers a contact's new identity key as pending (never trusted silently) and shows the warning. */
  private async identityChanged(userId: string, key: EcPublicKey): Promise<void> {
    const recorded = await this.contactQueue.run(userId, async () => {
      const contact = await this.history.getContact(userId);
      if (contact === undefined || contact.pendingIdentityKey === b64Key(key)) return false;
      await this.history.putContact({ ...contact, pendingIdentityKey: b64Key(key) });
      return true;
    });
    if (!recorded) return;
    const at = this.now();
    await this.editNotices((notices) => [
      ...notices.filter((notice) => !(notice.kind === 'identity-changed' && notice.userId === userId)),
      { kind: 'identity-changed', userId, at },
    ]);
  }

  private async editNotices(edit: (notices: readonly ContactNotice[]) => readonly ContactNotice[]): Promise<void> {
    await this.contactQueue.run('\u0000notices', async () => this.history.putNotices(edit(await this.history.listNotices())));
    this.changed.next(null);
  }

  // ── history ─────────────────────────────────────────────────────────────────────────────────

  private async updateMessage(
    senderUserId: string,
    messageId: string,
    edit: (message: HistoryMessage) => HistoryMessage,
  ): Promise<{ message: HistoryMessage | undefined; changed: boolean }> {
    return this.messageQueue.run(`${senderUserId}\n${messageId}`, async () => {
      const message = await this.history.getMessage(senderUserId, messageId);
      if (message === undefined) return { message, changed: false };
      const next = edit(message);
      if (next === message) return { message, changed: false };
      await this.history.putMessage(next);
      return { message: next, changed: true };
    });
  }

  /** Moves an outgoing message's ticks forward (never back). */
  private async setDelivery(messageId: string, state: DeliveryState): Promise<HistoryMessage | undefined> {
    const { message, changed } = await this.updateMessage(this.self.userId, messageId, (m) => {
      const delivery = laterDelivery(m.delivery, state);
      return delivery === m.delivery ? m : { ...m, delivery };
    });
    if (changed && message !== undefined) this.changed.next(message.conversationId);
    return message;
  }

  private async loadConversations(): Promise<readonly ConversationSummary[]> {
    const contacts = (await this.history.listContacts()).filter((contact) => contact.userId !== this.self.userId);
    const summaries = await Promise.all(contacts.map((contact) => this.summaryOf(contact)));
    // By this device's clock: a sender's clock may be off, and the list shows activity here.
    const latest = (summary: ConversationSummary) => summary.lastMessage?.storedAt ?? -1;
    return summaries.sort((a, b) => latest(b) - latest(a));
  }

  private async summaryOf(contact: ContactRecord): Promise<ConversationSummary> {
    const messages = await this.history.listMessages(contact.userId);
    return {
      conversationId: contact.userId,
      peer: { userId: contact.userId, displayName: contact.displayName, handle: contact.handle },
      lastMessage: messages.at(-1) ?? null,
      unread: messages.filter((message) => message.direction === 'in' && message.read !== true).length,
    };
  }

  // ── small helpers ───────────────────────────────────────────────────────────────────────────

  private cipher(remote: ProtocolAddress): SessionCipher {
    return new SessionCipher(this.store, { name: this.self.userId, deviceId: this.self.deviceId }, remote, { now: this.now });
  }

  private async replenish(remaining: PreKeyCounts): Promise<void> {
    // One upload at a time: a second `prekeys-low` while uploading would generate twice.
    if (this.replenishing !== null) return;
    this.replenishing = replenishPreKeys({ api: this.api, store: this.store, remaining, target: this.preKeyTarget, now: this.now });
    try {
      await this.replenishing;
    } finally {
      this.replenishing = null;
    }
  }

  private background(task: Promise<unknown>): void {
    task.catch((error: unknown) => this.failures.next(this.toFailure(error)));
  }

  private async apiCall<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw this.toFailure(error);
    }
  }

  /** Any error as a MessengerFailure with the closest code. */
  private toFailure(error: unknown): MessengerError {
    if (error instanceof MessengerError) return error;
    if (error instanceof ParleyApiError) {
      const code = error.code === 'user_not_found' ? 'user-not-found' : error.code === 'rate_limited' ? 'rate-limited' : error.code === 'network' ? 'network' : 'invalid';
      return new MessengerError(code, error.message, { cause: error });
    }
    if (error instanceof RelayError) {
      const code =
        error.serverCode === 'unknown_user' ? 'user-not-found' : error.serverCode === 'rate_limited' ? 'rate-limited' : error.code === 'invalid-send' ? 'invalid' : 'network';
      return new MessengerError(code, error.message, { cause: error });
    }
    if (isSignalProtocolError(error, 'untrusted-identity')) return new MessengerError('identity-untrusted', error.message, { cause: error });
    return new MessengerError('invalid', error instanceof Error ? error.message : String(error), { cause: error });
  }
}

/** The sender's message id as every device keys it (the self-copy suffix removed). */
function logicalMessageId(frame: DeliverFrame): string {
  const id = frame.messageId ?? frame.id;
  return frame.messageId !== undefined && id.endsWith(SELF_COPY_SUFFIX) ? id.slice(0, -SELF_COPY_SUFFIX.length) : id;
}

/** Where the relay lets a decrypter publish call signaling before it has finished (libs/signaling EarlyPublisher). */
export interface EarlyContent {
  publish(content: Content): boolean;
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

/** Whether `list` holds this frame already (the same envelope, from the same device). */
function sameFrame(frame: DeliverFrame, list: readonly DeliverFrame[]): boolean {
  return list.some((other) => other.id === frame.id && other.from.userId === frame.from.userId && other.from.deviceId === frame.from.deviceId);
}

/** Held messages within MAX_QUARANTINED_PER_CONTACT and MAX_QUARANTINED, the oldest dropped first. */
export function boundQuarantine(frames: readonly DeliverFrame[]): { kept: DeliverFrame[]; dropped: DeliverFrame[] } {
  const perContact = new Map<string, number>();
  for (const frame of frames) perContact.set(frame.from.userId, (perContact.get(frame.from.userId) ?? 0) + 1);
  const dropped: DeliverFrame[] = [];
  let kept = frames.filter((frame) => {
    const left = perContact.get(frame.from.userId)!;
    if (left <= MAX_QUARANTINED_PER_CONTACT) return true;
    perContact.set(frame.from.userId, left - 1);
    dropped.push(frame);
    return false;
  });
  if (kept.length > MAX_QUARANTINED) {
    dropped.push(...kept.slice(0, kept.length - MAX_QUARANTINED));
    kept = kept.slice(kept.length - MAX_QUARANTINED);
  }
  return { kept, dropped };
}
