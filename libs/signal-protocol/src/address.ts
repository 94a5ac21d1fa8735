import { SignalProtocolError } from './errors.js';

/** One device of one account: the unit a session belongs to. */
export interface ProtocolAddress {
  readonly name: string;
  readonly deviceId: number;
}

/** A map key for an address ("name.device", as libsignal prints it). */
export function addressKey(address: ProtocolAddress): string {
  return `${address.name}.${address.deviceId}`;
}

const HYPHENATED_UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * libsignal's fixed-width service id (kind byte 0 = ACI, 1 = PNI, then the 16 UUID bytes), when the
 * address name is a Signal service id string ("<uuid>" or "PNI:<uuid>"); otherwise undefined.
 */
export function serviceIdFixedWidthBinary(name: string): Uint8Array | undefined {
  const [kind, uuid] = name.startsWith('PNI:') ? [1, name.slice(4)] : [0, name];
  if (!HYPHENATED_UUID.test(uuid)) return undefined;
  const hex = uuid.replace(/-/g, '');
  const out = new Uint8Array(17);
  out[0] = kind;
  for (let i = 0; i < 16; i++) out[i + 1] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * The `addresses` field libsignal binds into a PreKeySignalMessage's MAC: sender id ‖ device ‖
 * recipient id ‖ device, present only when both names are service ids.
 */
export function encodeMessageAddresses(sender: ProtocolAddress, recipient: ProtocolAddress): Uint8Array | undefined {
  const a = serviceIdFixedWidthBinary(sender.name);
  const b = serviceIdFixedWidthBinary(recipient.name);
  if (a === undefined || b === undefined) return undefined;
  for (const d of [sender.deviceId, recipient.deviceId]) {
    if (!Number.isInteger(d) || d < 1 || d > 255) throw new SignalProtocolError('invalid-argument', `device id out of range: ${d}`);
  }
  const out = new Uint8Array(36);
  out.set(a, 0);
  out[17] = sender.deviceId;
  out.set(b, 18);
  out[35] = recipient.deviceId;
  return out;
}
