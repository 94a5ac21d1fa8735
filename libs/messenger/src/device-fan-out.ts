import { toBase64, utf8 } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import { type Content, ContentSchema, type SendFrame, type TextContent } from '@parley/contracts';
import type { SignalProtocolStore } from '@parley/signal-protocol';
import { type DevicesChanged, type RelayConnection, RelayError } from '@parley/signaling';
import type { ContactDirectory } from './contact-directory.js';
import { MessengerError, queueFull, toMessengerError } from './errors.js';
import { KeyedQueue } from './keyed-queue.js';
import type { SessionStarter } from './session-starter.js';
import { type MessengerSelf, sessionWith } from './signal-sessions.js';

/** Rounds of `devices_changed` → refresh → resend before a send gives up (`devices-changed-loop`). */
export const MAX_DEVICE_ROUNDS = 4;

/** One device's copy in a relay `send`. */
export type DeviceMessage = SendFrame['messages'][number];

/** The relay as fan-out uses it. */
export type RelaySend = Pick<RelayConnection, 'send'>;

/** What one recipient's fan-out does in each round (see {@link sendToEveryDevice}). */
export interface DeviceRound {
  /**
   * This round's copies, one per device; `'nobody'` when there is no device to send to (done),
   * `'list-changed'` when preparing found the device list changed (the next round starts over).
   */
  messages(): Promise<readonly DeviceMessage[] | 'nobody' | 'list-changed'>;
  /**
   * The server refused the list (`devices_changed`, with what it says changed when it said):
   * fixes it and returns true to send again, or false to fail with the server's error.
   */
  devicesChanged(changed: DevicesChanged | undefined): Promise<boolean>;
}

/**
 * Sends one frame to every device of `to` (Signal-Desktop's OutgoingMessage): the one
 * `devices_changed` loop 1:1 texts, content and group texts share. A full device queue on the
 * server is not retried (the device has to catch up first, which may take days); after
 * MAX_DEVICE_ROUNDS changes the send fails with `devices-changed-loop`.
 */
export async function sendToEveryDevice(relay: RelaySend, to: string, frameId: string, round: DeviceRound, recipient = 'the recipient'): Promise<void> {
  for (let attempt = 0; attempt < MAX_DEVICE_ROUNDS; attempt++) {
    const messages = await round.messages();
    if (messages === 'nobody') return;
    if (messages === 'list-changed') continue;
    try {
      await relay.send({ t: 'send', id: frameId, to, messages: [...messages] });
      return;
    } catch (error) {
      if (error instanceof RelayError && error.serverCode === 'devices_changed' && (await round.devicesChanged(error.devices))) continue;
      if (error instanceof RelayError && error.serverCode === 'queue_full') throw queueFull(to, error);
      throw error;
    }
  }
  throw new MessengerError('devices-changed-loop', `the device list of ${recipient} kept changing over ${MAX_DEVICE_ROUNDS} attempts`);
}

/** What pairwise fan-out is built from. */
export interface PairwiseFanOutOptions {
  readonly self: MessengerSelf;
  readonly store: SignalProtocolStore;
  readonly relay: RelaySend;
  readonly directory: ContactDirectory;
  readonly sessions: SessionStarter;
  readonly clock: WallClock;
  /** New relay frame ids; random UUIDs by default. */
  readonly newMessageId?: () => string;
}

/**
 * Encrypts a plaintext over the pairwise session with every device of one account (this
 * account: every other device) and sends it as one frame; sends to one account go one at a time.
 */
export class PairwiseFanOut {
  private readonly queue = new KeyedQueue();
  private readonly newMessageId: () => string;

  constructor(private readonly options: PairwiseFanOutOptions) {
    this.newMessageId = options.newMessageId ?? (() => crypto.randomUUID());
  }

  /** Sends `plaintext` to every device of `userId` as the frame `frameId`; rejects with the send's failure as it happened. */
  send(userId: string, frameId: string, plaintext: Uint8Array): Promise<void> {
    const { self, store, relay, directory, sessions, clock } = this.options;
    return this.queue.run(userId, async () => {
      const isSelf = userId === self.userId;
      if (isSelf) await directory.refreshOwnDevicesIfUnknown();
      await sendToEveryDevice(relay, userId, frameId, {
        messages: async () => {
          const contact = await directory.contactFor(userId);
          if (contact.pendingIdentityKey !== undefined) {
            throw new MessengerError('identity-untrusted', "the contact's identity key changed; accept it before sending");
          }
          const deviceIds = contact.deviceIds.filter((id) => !(isSelf && id === self.deviceId));
          // A single-device account has nobody to copy to.
          if (deviceIds.length === 0) return 'nobody';
          if (await sessions.startMissing(contact, deviceIds)) return 'list-changed';
          const messages: DeviceMessage[] = [];
          for (const deviceId of deviceIds) {
            const encrypted = await sessionWith(store, self, { name: userId, deviceId }, clock).encrypt(plaintext);
            messages.push({ deviceId, type: encrypted.type === 3 ? 3 : 2, ciphertext: toBase64(encrypted.serialized) });
          }
          return messages;
        },
        devicesChanged: async (changed) => {
          if (changed === undefined) return false;
          await directory.applyDeviceChange(userId, changed);
          return true;
        },
      });
    });
  }

  /** Sends content (call signaling, group state, sender keys, receipts) to every device of a user, under a new frame id. */
  async sendContent(toUserId: string, content: Exclude<Content, TextContent>): Promise<void> {
    if (!ContentSchema.safeParse(content).success) throw new MessengerError('invalid', `the ${content.type} content fails its schema`);
    // A user not known yet is looked up by send (contactFor). Call signaling goes this way, one
    // message per step of a call's set-up, so each read saved here shortens it.
    await this.send(toUserId, this.newMessageId(), utf8(JSON.stringify(content))).catch((error: unknown) => {
      throw toMessengerError(error);
    });
  }
}
