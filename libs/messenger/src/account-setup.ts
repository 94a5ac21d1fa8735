import { type AccountCreated, type DeviceKeys, PREKEY_LOW_WATERMARK, type UploadKeysRequest } from '@parley/contracts';
import {
  generateKyberPreKey,
  generatePreKeys,
  generateSignedPreKey,
  IdentityKeyPair,
  type KyberPreKeyRecord,
  type PreKeyRecord,
  randomBytes,
  type SignalProtocolStore,
  type SignedPreKeyRecord,
} from '@parley/signal-protocol';
import type { ParleyApiClient } from './api-client.js';
import { toBase64 } from '@parley/bytes';

/**
 * One-time EC prekeys per device: the most one upload may carry (the contract's limit) and what
 * Signal clients keep. They are 33 bytes each, so 100 cost nothing.
 */
export const ONE_TIME_PREKEY_COUNT = 100;
/**
 * One-time Kyber1024 prekeys per device. Each is 1.5 KB public (plus a signature) and costs a
 * Kyber key generation, so we keep 20 rather than Signal's 100: the upload stays near 45 KB and
 * account creation fast in a page. When they run out the last-resort Kyber key keeps sessions
 * post-quantum; `prekeys-low` (below PREKEY_LOW_WATERMARK) refills both kinds.
 */
export const KYBER_ONE_TIME_PREKEY_COUNT = 20;

/** Largest prekey id (libsignal's uint24 MEDIUM_MAX_VALUE). */
const MAX_KEY_ID = 0xffffff;

/** What the shell keeps for this device's session (with the Signal store). */
export interface SessionCredentials {
  readonly userId: string;
  readonly deviceId: number;
  /** 256-bit bearer token: HTTP `Authorization` and the relay's first frame. */
  readonly token: string;
  readonly handle: string;
  readonly displayName: string;
}

/** Creates the device's Signal store once its identity and registration id exist (the shell: IndexedDB). */
export type CreateSignalStore = (identity: IdentityKeyPair, registrationId: number) => SignalProtocolStore | Promise<SignalProtocolStore>;

/** How many one-time prekeys to generate (tests use fewer). */
export interface PreKeyCounts {
  readonly oneTimePreKeys: number;
  readonly kyberOneTimePreKeys: number;
}

export const DEFAULT_PREKEY_COUNTS: PreKeyCounts = { oneTimePreKeys: ONE_TIME_PREKEY_COUNT, kyberOneTimePreKeys: KYBER_ONE_TIME_PREKEY_COUNT };

/** A device's freshly generated prekeys, private halves included. */
export interface DeviceKeyMaterial {
  readonly registrationId: number;
  readonly signedPreKey: SignedPreKeyRecord;
  readonly kyberLastResortPreKey: KyberPreKeyRecord;
  readonly preKeys: readonly PreKeyRecord[];
  readonly kyberPreKeys: readonly KyberPreKeyRecord[];
}

/** A random 14-bit registration id, never 0 (Signal's range). */
export function generateRegistrationId(): number {
  for (;;) {
    const bytes = randomBytes(2);
    const id = ((bytes[0]! << 8) | bytes[1]!) & 0x3fff;
    if (id !== 0) return id;
  }
}

/** `count` consecutive ids from a random start that none of `taken` uses (ids spread over the uint24 space). */
async function freeIdRange(count: number, taken: (id: number) => Promise<boolean>): Promise<number> {
  for (;;) {
    const bytes = randomBytes(3);
    const start = 1 + ((((bytes[0]! << 16) | (bytes[1]! << 8) | bytes[2]!) >>> 0) % (MAX_KEY_ID - count));
    let free = true;
    for (let id = start; id < start + count && free; id++) free = !(await taken(id));
    if (free) return start;
  }
}

/** Generates a device's registration id, signed prekey, last-resort Kyber prekey and one-time prekeys. */
export async function generateDeviceKeys(identity: IdentityKeyPair, now: number, counts: PreKeyCounts = DEFAULT_PREKEY_COUNTS): Promise<DeviceKeyMaterial> {
  const registrationId = generateRegistrationId();
  const none = async () => false;
  const signedId = await freeIdRange(1, none);
  const kyberStart = await freeIdRange(1 + counts.kyberOneTimePreKeys, none);
  const preKeyStart = await freeIdRange(counts.oneTimePreKeys, none);
  return {
    registrationId,
    signedPreKey: await generateSignedPreKey(identity, signedId, now),
    kyberLastResortPreKey: await generateKyberPreKey(identity, kyberStart, now),
    preKeys: await generatePreKeys(preKeyStart, counts.oneTimePreKeys),
    kyberPreKeys: await Promise.all(Array.from({ length: counts.kyberOneTimePreKeys }, (_, i) => generateKyberPreKey(identity, kyberStart + 1 + i, now))),
  };
}

const publicPreKey = (record: PreKeyRecord) => ({ keyId: record.id, publicKey: toBase64(record.keyPair.publicKey.serialize()) });
const publicSignedPreKey = (record: SignedPreKeyRecord | KyberPreKeyRecord) => ({
  keyId: record.id,
  publicKey: toBase64(record.keyPair.publicKey.serialize()),
  signature: toBase64(record.signature),
});

/** The public half of the material, as the accounts API takes it. */
export function deviceKeysForUpload(material: DeviceKeyMaterial): DeviceKeys {
  return {
    registrationId: material.registrationId,
    signedPreKey: publicSignedPreKey(material.signedPreKey),
    kyberLastResortPreKey: publicSignedPreKey(material.kyberLastResortPreKey),
    oneTimePreKeys: material.preKeys.map(publicPreKey),
    kyberOneTimePreKeys: material.kyberPreKeys.map(publicSignedPreKey),
  };
}

/** Puts every private half into the device's store. */
export async function storeDeviceKeys(store: SignalProtocolStore, material: DeviceKeyMaterial): Promise<void> {
  await store.storeSignedPreKey(material.signedPreKey.id, material.signedPreKey);
  await store.storeKyberPreKey(material.kyberLastResortPreKey.id, material.kyberLastResortPreKey, { lastResort: true });
  for (const record of material.kyberPreKeys) await store.storeKyberPreKey(record.id, record);
  for (const record of material.preKeys) await store.storePreKey(record.id, record);
}

/** A new account and this browser as its first device. */
export interface AccountSetup {
  readonly credentials: SessionCredentials;
  readonly store: SignalProtocolStore;
}

/**
 * Creates an account: generates the identity key pair and this device's keys, stores the private
 * halves in the store `createStore` makes, uploads the public halves, and returns the credentials.
 * Keys are stored before the upload, so a device never advertises a key it cannot use.
 */
export async function createAccount(params: {
  readonly api: ParleyApiClient;
  readonly createStore: CreateSignalStore;
  /** The chosen handle; `null` makes a guest: a temporary account for a call link, with a generated handle. */
  readonly handle: string | null;
  readonly displayName: string;
  readonly now?: () => number;
  readonly preKeyCounts?: PreKeyCounts;
}): Promise<AccountSetup> {
  const now = params.now ?? Date.now;
  const identity = await IdentityKeyPair.generate();
  const material = await generateDeviceKeys(identity, now(), params.preKeyCounts);
  const store = await params.createStore(identity, material.registrationId);
  await storeDeviceKeys(store, material);
  const keys = { displayName: params.displayName, identityKey: toBase64(identity.publicKey.serialize()), device: deviceKeysForUpload(material) };
  const created: AccountCreated = params.handle === null ? await params.api.createGuest(keys) : await params.api.createAccount({ handle: params.handle, ...keys });
  return {
    credentials: { userId: created.userId, deviceId: created.deviceId, token: created.token, handle: params.handle ?? '', displayName: params.displayName },
    store,
  };
}

/**
 * Tops this device's one-time prekeys up to `target` (on `prekeys-low`, or at start-up): generates
 * what is missing under fresh ids, stores them, uploads them. Returns how many of each went up.
 */
export async function replenishPreKeys(params: {
  readonly api: ParleyApiClient;
  readonly store: SignalProtocolStore;
  /** What the server says is left; asked with GET /api/keys when omitted. */
  readonly remaining?: { readonly oneTimePreKeys: number; readonly kyberOneTimePreKeys: number };
  readonly target?: PreKeyCounts;
  readonly now?: () => number;
}): Promise<PreKeyCounts> {
  const target = params.target ?? DEFAULT_PREKEY_COUNTS;
  const remaining = params.remaining ?? (await params.api.preKeyCount());
  const needEc = remaining.oneTimePreKeys < PREKEY_LOW_WATERMARK ? Math.max(0, target.oneTimePreKeys - remaining.oneTimePreKeys) : 0;
  const needKyber =
    remaining.kyberOneTimePreKeys < PREKEY_LOW_WATERMARK ? Math.max(0, target.kyberOneTimePreKeys - remaining.kyberOneTimePreKeys) : 0;
  if (needEc === 0 && needKyber === 0) return { oneTimePreKeys: 0, kyberOneTimePreKeys: 0 };
  const { store } = params;
  const identity = await store.getIdentityKeyPair();
  const now = (params.now ?? Date.now)();
  const request: { -readonly [K in keyof UploadKeysRequest]: UploadKeysRequest[K] } = {};
  if (needEc > 0) {
    const start = await freeIdRange(needEc, async (id) => (await store.loadPreKey(id)) !== undefined);
    const records = await generatePreKeys(start, needEc);
    for (const record of records) await store.storePreKey(record.id, record);
    request.oneTimePreKeys = records.map(publicPreKey);
  }
  if (needKyber > 0) {
    const start = await freeIdRange(needKyber, async (id) => (await store.loadKyberPreKey(id)) !== undefined);
    const records = await Promise.all(Array.from({ length: needKyber }, (_, i) => generateKyberPreKey(identity, start + i, now)));
    for (const record of records) await store.storeKyberPreKey(record.id, record);
    request.kyberOneTimePreKeys = records.map(publicSignedPreKey);
  }
  await params.api.uploadKeys(request);
  return { oneTimePreKeys: needEc, kyberOneTimePreKeys: needKyber };
}
