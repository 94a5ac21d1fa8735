import { fromBase64 } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import { parsePreKeyBundle, processPreKeyBundle, type SignalProtocolStore } from '@parley/signal-protocol';
import type { ParleyApiClient } from './api-client.js';
import type { ContactDirectory } from './contact-directory.js';
import { asMessengerCall, MessengerError, ParleyApiError, toMessengerError } from './errors.js';
import type { ContactRecord } from './history-store.js';
import { identityKeyOf, type MessengerSelf, sessionWith } from './signal-sessions.js';

/**
 * Starts pairwise sessions from the server's prekey bundles (Signal-Desktop's getKeysForServiceId):
 * for every listed device of a contact that has no usable session. A bundle under another identity
 * key is never used: it becomes a pending identity change.
 */
export class SessionStarter {
  constructor(
    private readonly options: {
      readonly self: MessengerSelf;
      readonly api: ParleyApiClient;
      readonly store: SignalProtocolStore;
      readonly directory: ContactDirectory;
      readonly clock: WallClock;
    },
  ) {}

  /**
   * Starts sessions with every device in `deviceIds` that has none. Returns whether the device
   * list changed meanwhile (devices gone or found), so the caller encrypts for the new list.
   */
  async startMissing(contact: ContactRecord, deviceIds: readonly number[]): Promise<boolean> {
    const { self, api, store, directory, clock } = this.options;
    const without: number[] = [];
    for (const deviceId of deviceIds) {
      if (!(await sessionWith(store, self, { name: contact.userId, deviceId }, clock).hasUsableSession())) without.push(deviceId);
    }
    if (without.length === 0) return false;
    const isSelf = contact.userId === self.userId;
    // One request for all devices when none has a session (a new contact), else one per device.
    const all = without.length === deviceIds.length && !isSelf;
    const gone: number[] = [];
    const fetchOne = async (deviceId: number) => {
      try {
        return [await api.fetchPreKeyBundles(contact.userId, deviceId)];
      } catch (error) {
        // Removed since we last heard of it: drop it rather than fail the send.
        if (error instanceof ParleyApiError && error.code === 'device_not_found') {
          gone.push(deviceId);
          return [];
        }
        throw toMessengerError(error);
      }
    };
    const answers = all ? [await asMessengerCall(() => api.fetchPreKeyBundles(contact.userId))] : (await Promise.all(without.map(fetchOne))).flat();
    if (gone.length > 0) await directory.applyDeviceChange(contact.userId, { missing: [], extra: gone, stale: [] });
    const unknownDevices: number[] = [];
    for (const answer of answers) {
      const identityKey = identityKeyOf(answer.identityKey);
      if (!identityKey.equals(identityKeyOf(contact.identityKey))) {
        if (isSelf) throw new MessengerError('identity-untrusted', 'the server offered a device of this account with another identity key');
        await directory.identityChanged(contact.userId, identityKey);
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
        await processPreKeyBundle(store, { name: contact.userId, deviceId: device.deviceId }, bundle, () => clock.now());
      }
    }
    // Devices the server listed that we did not know: the next round's send includes them.
    if (unknownDevices.length > 0) await directory.addDevices(contact.userId, unknownDevices);
    return gone.length > 0 || unknownDevices.length > 0;
  }
}
