import { fromBase64, toBase64 } from '@parley/bytes';
import type { WallClock } from '@parley/clock';
import { EcPublicKey, type ProtocolAddress, SessionCipher, type SignalProtocolStore } from '@parley/signal-protocol';

/** Who this device is. */
export interface MessengerSelf {
  readonly userId: string;
  readonly deviceId: number;
  readonly handle: string;
  readonly displayName: string;
}

/** Who a device with these credentials is (everything but its token). */
export function selfOf(credentials: MessengerSelf): MessengerSelf {
  return { userId: credentials.userId, deviceId: credentials.deviceId, handle: credentials.handle, displayName: credentials.displayName };
}

/** This device's Signal address. */
export function selfAddress(self: MessengerSelf): ProtocolAddress {
  return { name: self.userId, deviceId: self.deviceId };
}

/** The pairwise session between this device and `remote`, in the device's one Signal store. */
export function sessionWith(store: SignalProtocolStore, self: MessengerSelf, remote: ProtocolAddress, clock: WallClock): SessionCipher {
  return new SessionCipher(store, selfAddress(self), remote, { now: () => clock.now() });
}

/** An identity key as contact records keep it (base64 of the 33-byte key). */
export const identityKeyText = (key: EcPublicKey): string => toBase64(key.serialize());

/** The identity key a contact record keeps as text. */
export const identityKeyOf = (text: string): EcPublicKey => EcPublicKey.deserialize(fromBase64(text));

/** libsignal's CiphertextMessageType of a SenderKeyMessage (a group text). */
export const SENDER_KEY_MESSAGE_TYPE = 7;
