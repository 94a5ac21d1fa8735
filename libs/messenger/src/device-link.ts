import type { DeviceLinkFailureCode, LinkRequestFrame } from '@parley/contracts';
import {
  EcKeyPair,
  EcPublicKey,
  hkdfSha256,
  hmacSha256,
  IdentityKeyPair,
  randomBytes,
  type SignalProtocolStore,
} from '@parley/signal-protocol';
import { z } from 'zod';
import { type AccountSetup, type CreateSignalStore, generateDeviceKeys, deviceKeysForUpload, type PreKeyCounts, storeDeviceKeys } from './account-setup.js';
import type { ParleyApiClient } from './api-client.js';
import { concatBytes, constantTimeEqual, fromBase64, fromUtf8, toBase64, utf8 } from '@parley/bytes';
import { ParleyApiError } from './errors.js';

// Device linking, client side. The existing device shows `<linkId>-<secret>`; only linkId goes to
// the server. The new device sends an ephemeral X25519 key with HMAC-SHA256(secret, key), so the
// existing device can tell the key came from whoever holds the code and not from a server that
// swapped in its own. The existing device then sends the identity key pair encrypted to that key:
//
//   envelope = 0x01 ‖ senderEphemeral (33) ‖ nonce (12) ‖ AES-256-GCM(key, nonce, account JSON, aad)
//   key      = HKDF-SHA256(ikm = X25519(senderEphemeral, newDeviceEphemeral), salt = secret,
//                          info = "Parley device link v1" ‖ senderEphemeral ‖ newDeviceEphemeral)
//   aad      = 0x01 ‖ senderEphemeral ‖ newDeviceEphemeral
//
// Both ephemeral keys are fresh per link, so the key is used once; the secret in the salt means
// that even a server that learnt a private ephemeral key cannot derive the key without the code.

/** Bits of the code's secret: what a guess at the code has to hit in its 10 minutes. */
export const LINK_SECRET_BITS = 80;
const LINK_ENVELOPE_VERSION = 1;
const LINK_INFO = utf8('Parley device link v1');
// RFC 4648 base32, lowercase: no look-alike case, readable aloud, 16 characters for 80 bits.
const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** Why a link failed, as a code the shell maps to localized text (declared in the contracts). */
export type LinkFailureCode = DeviceLinkFailureCode;

/** A failed link, with a code and a developer message. */
export class DeviceLinkError extends Error {
  override readonly name = 'DeviceLinkError';

  constructor(
    readonly code: LinkFailureCode,
    message: string,
  ) {
    super(message);
  }
}

function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

function fromBase32(text: string): Uint8Array | null {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const char of text) {
    const value = BASE32.indexOf(char);
    if (value < 0) return null;
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return new Uint8Array(out);
}

/** The two halves of a link code; throws `invalid-code` when it is not `<linkId>-<secret>`. */
export function parseLinkCode(code: string): { readonly linkId: string; readonly secret: Uint8Array } {
  const trimmed = code.trim().toLowerCase();
  const dash = trimmed.lastIndexOf('-');
  const linkId = trimmed.slice(0, dash);
  const secret = dash > 0 ? fromBase32(trimmed.slice(dash + 1)) : null;
  if (secret === null || secret.length * 8 < LINK_SECRET_BITS || linkId.length < 8 || linkId.length > 64) {
    throw new DeviceLinkError('invalid-code', 'a link code is "<link id>-<secret>" as the other device shows it');
  }
  return { linkId, secret };
}

/** HMAC-SHA256(secret, serialized ephemeral public key): proves the key came from the code's holder. */
export function linkRequestMac(secret: Uint8Array, ephemeralPublicKey: EcPublicKey): Uint8Array {
  return hmacSha256(secret, ephemeralPublicKey.serialize());
}

/** What travels inside the envelope. */
const ProvisionedAccountSchema = z.object({
  userId: z.string().min(1),
  handle: z.string().min(1),
  displayName: z.string().min(1),
  identityKeyPair: z.string().min(1),
});
/** The account data the existing device sends the new one. */
export type ProvisionedAccount = z.infer<typeof ProvisionedAccountSchema>;

async function aesGcm(mode: 'encrypt' | 'decrypt', key: Uint8Array, nonce: Uint8Array, data: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await crypto.subtle.importKey('raw', new Uint8Array(key), 'AES-GCM', false, [mode]);
  const params = { name: 'AES-GCM', iv: new Uint8Array(nonce), additionalData: new Uint8Array(aad) };
  const out = mode === 'encrypt' ? await crypto.subtle.encrypt(params, cryptoKey, new Uint8Array(data)) : await crypto.subtle.decrypt(params, cryptoKey, new Uint8Array(data));
  return new Uint8Array(out);
}

function envelopeKey(shared: Uint8Array, secret: Uint8Array, sender: EcPublicKey, recipient: EcPublicKey): Uint8Array {
  return hkdfSha256(shared, secret, concatBytes(LINK_INFO, sender.serialize(), recipient.serialize()), 32);
}

/** Encrypts the account to the new device's ephemeral key (base64 envelope). */
export async function sealLinkEnvelope(account: ProvisionedAccount, secret: Uint8Array, recipient: EcPublicKey): Promise<string> {
  const ephemeral = await EcKeyPair.generate();
  const key = envelopeKey(await ephemeral.agree(recipient), secret, ephemeral.publicKey, recipient);
  const nonce = randomBytes(12);
  const header = concatBytes(new Uint8Array([LINK_ENVELOPE_VERSION]), ephemeral.publicKey.serialize());
  const sealed = await aesGcm('encrypt', key, nonce, utf8(JSON.stringify(account)), concatBytes(header, recipient.serialize()));
  return toBase64(concatBytes(header, nonce, sealed));
}

/** Opens an envelope with the new device's ephemeral key pair; throws `bad-envelope`. */
export async function openLinkEnvelope(envelope: string, secret: Uint8Array, ephemeral: EcKeyPair): Promise<ProvisionedAccount> {
  try {
    const bytes = fromBase64(envelope);
    if (bytes[0] !== LINK_ENVELOPE_VERSION || bytes.length < 1 + 33 + 12 + 16) throw new Error('unknown envelope version or too short');
    const sender = EcPublicKey.deserialize(bytes.subarray(1, 34));
    const key = envelopeKey(await ephemeral.agree(sender), secret, sender, ephemeral.publicKey);
    const aad = concatBytes(bytes.subarray(0, 34), ephemeral.publicKey.serialize());
    const plaintext = await aesGcm('decrypt', key, bytes.subarray(34, 46), bytes.subarray(46), aad);
    return ProvisionedAccountSchema.parse(JSON.parse(fromUtf8(plaintext)));
  } catch {
    throw new DeviceLinkError('bad-envelope', 'the link envelope does not open with this code and key');
  }
}

/** What happened to a `link-request` on the existing device. */
export type LinkRequestOutcome = 'provisioned' | 'unknown-link' | 'expired' | 'bad-mac';

/**
 * The existing device's side of linking: makes codes and answers `link-request` frames for them.
 * Codes live in memory only: a code outlives neither a reload nor its 10 minutes.
 */
export class DeviceLinker {
  private readonly pending = new Map<string, { readonly secret: Uint8Array; readonly expiresAt: number }>();

  constructor(
    private readonly options: {
      readonly api: ParleyApiClient;
      readonly store: SignalProtocolStore;
      readonly account: { readonly userId: string; readonly handle: string; readonly displayName: string };
      readonly now?: () => number;
      /** Told after a device was provisioned (e.g. to refresh the own device list). */
      readonly onProvisioned?: () => void;
    },
  ) {}

  /** A new one-time code to show the user: `<linkId>-<secret>`, the secret never sent anywhere. */
  async createCode(): Promise<{ readonly code: string; readonly expiresAt: number }> {
    const { linkId, expiresAt } = await this.options.api.createLinkCode();
    const secret = randomBytes(LINK_SECRET_BITS / 8);
    this.pending.set(linkId, { secret, expiresAt });
    return { code: `${linkId}-${base32(secret)}`, expiresAt };
  }

  /** Checks a `link-request`'s HMAC and, when it holds, provisions the new device. */
  async handleLinkRequest(frame: LinkRequestFrame): Promise<LinkRequestOutcome> {
    const link = this.pending.get(frame.linkId);
    if (link === undefined) return 'unknown-link';
    if ((this.options.now ?? Date.now)() > link.expiresAt) {
      this.pending.delete(frame.linkId);
      return 'expired';
    }
    let ephemeral: EcPublicKey;
    let mac: Uint8Array;
    try {
      ephemeral = EcPublicKey.deserialize(fromBase64(frame.ephemeralPublicKey));
      mac = fromBase64(frame.mac);
    } catch {
      return 'bad-mac';
    }
    // A wrong MAC is a substituted key (or a typo): refuse, but keep the code for the real request.
    if (!constantTimeEqual(linkRequestMac(link.secret, ephemeral), mac)) return 'bad-mac';
    this.pending.delete(frame.linkId);
    const identity = await this.options.store.getIdentityKeyPair();
    const { userId, handle, displayName } = this.options.account;
    const envelope = await sealLinkEnvelope({ userId, handle, displayName, identityKeyPair: toBase64(identity.serialize()) }, link.secret, ephemeral);
    await this.options.api.provisionLink(frame.requestId, envelope);
    this.options.onProvisioned?.();
    return 'provisioned';
  }
}

/**
 * The new device's side: sends its ephemeral key for the code, waits (long-poll) for the
 * envelope, opens it, generates this device's keys into a new store and registers the device.
 */
export async function linkDevice(params: {
  /** Client without a token: the new device has none yet. */
  readonly api: ParleyApiClient;
  readonly code: string;
  readonly createStore: CreateSignalStore;
  readonly now?: () => number;
  readonly preKeyCounts?: PreKeyCounts;
  /** Long-polls before giving up (each up to 25 s on the server): 30 covers the code's 10 minutes. */
  readonly maxPolls?: number;
}): Promise<AccountSetup> {
  const { linkId, secret } = parseLinkCode(params.code);
  const ephemeral = await EcKeyPair.generate();
  const requestId = await mapLinkErrors(() =>
    params.api.requestLink({
      linkId,
      ephemeralPublicKey: toBase64(ephemeral.publicKey.serialize()),
      mac: toBase64(linkRequestMac(secret, ephemeral.publicKey)),
    }),
  );
  const maxPolls = params.maxPolls ?? 30;
  for (let poll = 0; poll < maxPolls; poll++) {
    const answer = await mapLinkErrors(() => params.api.pollLink(requestId));
    if (answer.status === 'waiting') continue;
    const account = await openLinkEnvelope(answer.envelope, secret, ephemeral);
    const identity = IdentityKeyPair.deserialize(fromBase64(account.identityKeyPair));
    const material = await generateDeviceKeys(identity, (params.now ?? Date.now)(), params.preKeyCounts);
    const store = await params.createStore(identity, material.registrationId);
    await storeDeviceKeys(store, material);
    const created = await mapLinkErrors(() =>
      params.api.completeLink({ provisioningToken: answer.provisioningToken, device: deviceKeysForUpload(material) }),
    );
    if (created.userId !== account.userId) {
      throw new DeviceLinkError('wrong-account', 'the server registered this device with another account than the envelope names');
    }
    return {
      credentials: { userId: created.userId, deviceId: created.deviceId, token: created.token, handle: account.handle, displayName: account.displayName },
      store,
    };
  }
  throw new DeviceLinkError('timeout', 'the other device did not answer the link request in time');
}

async function mapLinkErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ParleyApiError && error.code === 'link_expired') throw new DeviceLinkError('link-expired', error.message);
    if (error instanceof ParleyApiError && error.code === 'link_not_found') throw new DeviceLinkError('link-not-found', error.message);
    throw error;
  }
}
