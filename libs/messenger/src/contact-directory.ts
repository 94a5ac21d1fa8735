import type { WallClock } from '@parley/clock';
import type { User } from '@parley/contracts';
import { createFingerprint, type EcPublicKey, type SignalProtocolStore } from '@parley/signal-protocol';
import type { DevicesChanged } from '@parley/signaling';
import { utf8 } from '@parley/bytes';
import type { ParleyApiClient } from './api-client.js';
import type { ConversationChanges } from './conversation-changes.js';
import { asMessengerCall, MessengerError } from './errors.js';
import type { ContactRecord, HistoryStore } from './history-store.js';
import { KeyedQueue } from './keyed-queue.js';
import type { ContactNotice } from './messenger-api.js';
import { identityKeyOf, identityKeyText, type MessengerSelf, sessionWith } from './signal-sessions.js';

/** How long a known-empty list of this account's other devices is trusted before asking the server again. */
export const OWN_DEVICES_TTL_MS = 30_000;

/** What the directory is built from. */
export interface ContactDirectoryOptions {
  readonly self: MessengerSelf;
  /** Authenticated with this device's token. */
  readonly api: ParleyApiClient;
  /** The device's one Signal store (trusted identities, sessions to archive). */
  readonly store: SignalProtocolStore;
  readonly history: HistoryStore;
  readonly changes: ConversationChanges;
  readonly clock: WallClock;
}

/**
 * Who this device talks to (Signal's contact and identity stores): contact records with their
 * devices and trusted identity key, this account's own other devices, identity changes (kept
 * pending, never trusted silently), safety numbers, and the notices the user must see.
 */
export class ContactDirectory {
  private readonly self: MessengerSelf;
  private readonly api: ParleyApiClient;
  private readonly store: SignalProtocolStore;
  private readonly history: HistoryStore;
  private readonly changes: ConversationChanges;
  private readonly clock: WallClock;
  private readonly queue = new KeyedQueue();
  private ownDevicesCheckedAt = Number.NEGATIVE_INFINITY;
  /** The start-up ask for this account's devices, while it runs (see refreshOwnDevicesInBackground). */
  private startupRefresh: Promise<void> = Promise.resolve();

  constructor(options: ContactDirectoryOptions) {
    this.self = options.self;
    this.api = options.api;
    this.store = options.store;
    this.history = options.history;
    this.changes = options.changes;
    this.clock = options.clock;
  }

  /** Looks a user up by handle and records them (never this account). */
  async findUser(handle: string): Promise<ContactRecord> {
    const user = await asMessengerCall(() => this.api.findUserByHandle(handle.trim().toLowerCase()));
    if (user.userId === this.self.userId) throw new MessengerError('invalid', 'that handle is this account');
    const contact = await this.learn(user);
    this.changes.changed(null);
    return contact;
  }

  /** The contact record, fetched from the server the first time a user writes. */
  async contactFor(userId: string): Promise<ContactRecord> {
    const known = await this.history.getContact(userId);
    if (known !== undefined) return known;
    if (userId === this.self.userId) return this.ensureOwnRecord();
    const contact = await this.learn(await asMessengerCall(() => this.api.getUser(userId)));
    this.changes.changed(null);
    return contact;
  }

  /** The contact record as kept, without asking the server. */
  known(userId: string): Promise<ContactRecord | undefined> {
    return this.history.getContact(userId);
  }

  /** Every contact but this account. */
  async others(): Promise<readonly ContactRecord[]> {
    return (await this.history.listContacts()).filter((contact) => contact.userId !== this.self.userId);
  }

  /** The devices of `userId` this device knows (for this account: the other ones). */
  async knownDevices(userId: string): Promise<readonly number[]> {
    const ids = (await this.history.getContact(userId))?.deviceIds ?? [];
    return userId === this.self.userId ? ids.filter((id) => id !== this.self.deviceId) : ids;
  }

  /** This account's own record (its identity key, its other devices), made on first use. */
  async ensureOwnRecord(): Promise<ContactRecord> {
    return this.queue.run(this.self.userId, async () => {
      const known = await this.history.getContact(this.self.userId);
      if (known !== undefined) return known;
      const identity = await this.store.getIdentityKeyPair();
      const record: ContactRecord = {
        userId: this.self.userId,
        handle: this.self.handle,
        displayName: this.self.displayName,
        identityKey: identityKeyText(identity.publicKey),
        deviceIds: [],
      };
      await this.history.putContact(record);
      return record;
    });
  }

  /** Asks the server for this account's devices and keeps the other ones. */
  async refreshOwnDevices(): Promise<void> {
    const { devices } = await this.api.listDevices();
    this.ownDevicesCheckedAt = this.clock.now();
    const others = devices.map((d) => d.deviceId).filter((id) => id !== this.self.deviceId);
    await this.queue.run(this.self.userId, async () => {
      const own = await this.history.getContact(this.self.userId);
      if (own !== undefined) await this.history.putContact({ ...own, deviceIds: others });
    });
  }

  /**
   * Asks for this account's devices without making anyone wait for it: at start-up the server's
   * answer would otherwise be one more round trip before the conversation list shows (issue 20).
   * Copies to this account's own devices wait for it (refreshOwnDevicesIfUnknown). Offline, the
   * next such copy asks again.
   */
  refreshOwnDevicesInBackground(): void {
    this.startupRefresh = this.refreshOwnDevices().catch(() => {});
  }

  /** Refreshes this account's devices when none is known and the last check is older than OWN_DEVICES_TTL_MS. */
  async refreshOwnDevicesIfUnknown(): Promise<void> {
    await this.startupRefresh;
    const own = await this.ensureOwnRecord();
    if (own.deviceIds.length > 0 || this.clock.now() - this.ownDevicesCheckedAt < OWN_DEVICES_TTL_MS) return;
    await asMessengerCall(() => this.refreshOwnDevices());
  }

  /** A device of this account was just linked: the next copy to own devices asks the server again. */
  forgetOwnDevicesCheck(): void {
    this.ownDevicesCheckedAt = Number.NEGATIVE_INFINITY;
  }

  /** Adds devices to a contact; a contact's device we did not know before gets a `new-device` notice. */
  async addDevices(userId: string, deviceIds: readonly number[]): Promise<ContactRecord> {
    // Outside the queue: learning a contact takes the queue itself.
    const first = await this.contactFor(userId);
    const { contact, added } = await this.queue.run(userId, async () => {
      const known = (await this.history.getContact(userId)) ?? first;
      const added = deviceIds.filter((id) => !known.deviceIds.includes(id));
      const contact = added.length === 0 ? known : { ...known, deviceIds: [...known.deviceIds, ...added] };
      if (added.length > 0) await this.history.putContact(contact);
      return { contact, added };
    });
    if (added.length > 0 && userId !== this.self.userId) {
      const at = this.clock.now();
      await this.editNotices((notices) => [...notices, ...added.map((deviceId) => ({ kind: 'new-device' as const, userId, deviceId, at }))]);
    }
    return contact;
  }

  /** The server's `devices_changed`: sessions of extra and stale devices are archived, extra ones dropped, missing ones added. */
  async applyDeviceChange(userId: string, changed: DevicesChanged): Promise<void> {
    for (const deviceId of [...changed.extra, ...changed.stale]) {
      await sessionWith(this.store, this.self, { name: userId, deviceId }, this.clock).archiveCurrentState();
    }
    await this.queue.run(userId, async () => {
      const contact = await this.history.getContact(userId);
      if (contact === undefined) return;
      await this.history.putContact({ ...contact, deviceIds: contact.deviceIds.filter((id) => !changed.extra.includes(id)) });
    });
    if (changed.missing.length > 0) await this.addDevices(userId, changed.missing);
  }

  /** Remembers a contact's new identity key as pending (never trusted silently) and shows the warning. */
  async identityChanged(userId: string, key: EcPublicKey): Promise<void> {
    const recorded = await this.queue.run(userId, async () => {
      const contact = await this.history.getContact(userId);
      if (contact === undefined || contact.pendingIdentityKey === identityKeyText(key)) return false;
      await this.history.putContact({ ...contact, pendingIdentityKey: identityKeyText(key) });
      return true;
    });
    if (!recorded) return;
    const at = this.clock.now();
    await this.editNotices((notices) => [
      ...notices.filter((notice) => !(notice.kind === 'identity-changed' && notice.userId === userId)),
      { kind: 'identity-changed', userId, at },
    ]);
  }

  /**
   * Trusts a contact's pending identity key (the user saw the warning): old sessions are archived
   * and the warning goes. False when nothing was pending.
   */
  async acceptIdentity(userId: string): Promise<boolean> {
    const accepted = await this.queue.run(userId, async () => {
      const contact = await this.history.getContact(userId);
      if (contact?.pendingIdentityKey === undefined) return false;
      const next: ContactRecord = { ...contact, identityKey: contact.pendingIdentityKey, pendingIdentityKey: undefined };
      const key = identityKeyOf(next.identityKey);
      for (const deviceId of next.deviceIds) {
        const address = { name: userId, deviceId };
        // Sessions with the old identity are of no use any more: the next send fetches new bundles.
        await sessionWith(this.store, this.self, address, this.clock).archiveCurrentState();
        await this.store.saveIdentity(address, key);
      }
      await this.history.putContact(next);
      return true;
    });
    if (!accepted) return false;
    // The warning, and what was dropped while it showed, are settled by the user's decision.
    await this.editNotices((notices) =>
      notices.filter((notice) => !((notice.kind === 'identity-changed' || notice.kind === 'held-messages-dropped') && notice.userId === userId)),
    );
    return true;
  }

  /** Safety number for a contact (60 digits, grouped by 5), the same on both sides. */
  async safetyNumber(userId: string): Promise<string> {
    const contact = await this.history.getContact(userId);
    if (contact === undefined) throw new MessengerError('user-not-found', 'no contact with this id');
    const identity = await this.store.getIdentityKeyPair();
    const { displayable } = createFingerprint({
      localIdentifier: utf8(this.self.userId),
      localKey: identity.publicKey,
      remoteIdentifier: utf8(userId),
      remoteKey: identityKeyOf(contact.identityKey),
    });
    return displayable.replace(/(\d{5})(?=\d)/g, '$1 ');
  }

  /** The notices to show. */
  notices(): Promise<readonly ContactNotice[]> {
    return this.history.listNotices();
  }

  /** Rewrites the notices (one edit at a time) and says the list changed. */
  async editNotices(edit: (notices: readonly ContactNotice[]) => readonly ContactNotice[]): Promise<void> {
    await this.queue.run('\u0000notices', async () => this.history.putNotices(edit(await this.history.listNotices())));
    this.changes.changed(null);
  }

  /** Records a user as the server describes them; a different identity key than the trusted one becomes a pending change. */
  private async learn(user: User): Promise<ContactRecord> {
    const contact = await this.queue.run(user.userId, async () => {
      const known = await this.history.getContact(user.userId);
      const next: ContactRecord =
        known === undefined
          ? { userId: user.userId, handle: user.handle, displayName: user.displayName, identityKey: user.identityKey, deviceIds: user.devices.map((d) => d.deviceId) }
          : { ...known, handle: user.handle, displayName: user.displayName };
      await this.history.putContact(next);
      return next;
    });
    if (contact.identityKey !== user.identityKey) await this.identityChanged(user.userId, identityKeyOf(user.identityKey));
    return (await this.history.getContact(user.userId)) ?? contact;
  }
}
