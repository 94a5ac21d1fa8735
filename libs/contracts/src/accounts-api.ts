/**
 * The HTTP API for accounts, devices, prekeys and device linking (the chat issue). Keys travel as
 * standard base64 of libsignal's serialized forms: EC public keys 33 bytes (0x05 ‖ 32), Kyber1024
 * public keys 1569 bytes (0x08 ‖ 1568), signatures 64 bytes. Every request needs
 * `Authorization: Bearer <device token>` except account creation and the new device's side of
 * linking. Errors are `{ error: { code, message } }` with the codes named here.
 */
import { parseBase64 } from '@parley/bytes';
import { z } from 'zod';
import { GUEST_HANDLE_PREFIX, isGuestHandle } from './guest-handle.js';

/** Standard base64 by its alphabet only (large opaque envelopes: no need to decode them here). */
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'standard base64');
/** The canonical standard base64 of exactly `bytes` bytes. */
const base64Bytes = (bytes: number) => z.string().refine((text) => parseBase64(text)?.length === bytes, `standard base64 of ${bytes} bytes`);

export const EC_PUBLIC_KEY_B64 = base64Bytes(33);
export const KYBER_PUBLIC_KEY_B64 = base64Bytes(1569);
export const SIGNATURE_B64 = base64Bytes(64);

/** Prekey ids are uint24 in practice (libsignal's MEDIUM_MAX_VALUE), never 0. */
const keyId = z.number().int().min(1).max(0xffffff);
/** Registration ids are 14-bit in Signal clients. */
export const RegistrationIdSchema = z.number().int().min(1).max(0x3fff);
export const DeviceIdSchema = z.number().int().min(1).max(127);

/** Lowercase letters, digits, `_` and `.`; unique case-insensitively; stored and shown lowercase. */
export const HandleSchema = z
  .string()
  .min(3)
  .max(32)
  .regex(/^[a-z0-9_.]+$/, 'lowercase letters, digits, "_" and "." only')
  .refine((h) => !h.startsWith('.') && !h.endsWith('.'), 'cannot start or end with "."');

/** A handle an account may register: any handle outside the guests' `guest.` space. */
export const RegisteredHandleSchema = HandleSchema.refine((h) => !isGuestHandle(h), `"${GUEST_HANDLE_PREFIX}" handles are reserved for guests`);

/**
 * Characters a display name may not hold: C0/C1 controls and line separators, bidi embeddings,
 * overrides, isolates and marks (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C), and
 * zero-width characters (U+200B–U+200D, U+2060, U+FEFF). They let one name pass for another
 * ("Alice" with a zero-width space) or reorder what is shown around it (issue 21).
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const HIDDEN_OR_REORDERING = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/u;
/** Whether a display name holds a control, bidi or zero-width character (see DisplayNameSchema). */
export const hasHiddenCharacters = (text: string): boolean => HIDDEN_OR_REORDERING.test(text);
/** 1–64 characters after trimming, none of them hidden or reordering (hasHiddenCharacters). */
export const DisplayNameSchema = z
  .string()
  // Before trimming, which would silently drop some of them (U+FEFF, controls) at the ends.
  .refine((name) => !hasHiddenCharacters(name), 'no control, bidi or zero-width characters')
  .trim()
  .min(1)
  .max(64);

export const PreKeySchema = z.object({ keyId, publicKey: EC_PUBLIC_KEY_B64 });
export const SignedPreKeySchema = z.object({ keyId, publicKey: EC_PUBLIC_KEY_B64, signature: SIGNATURE_B64 });
export const KyberPreKeySchema = z.object({ keyId, publicKey: KYBER_PUBLIC_KEY_B64, signature: SIGNATURE_B64 });

/** A device's keys as uploaded: signatures are checked by the server with the account's identity key. */
export const DeviceKeysSchema = z.object({
  registrationId: RegistrationIdSchema,
  signedPreKey: SignedPreKeySchema,
  /** The last-resort Kyber prekey, used when no one-time Kyber prekey is left. */
  kyberLastResortPreKey: KyberPreKeySchema,
  oneTimePreKeys: z.array(PreKeySchema).max(100),
  kyberOneTimePreKeys: z.array(KyberPreKeySchema).max(100),
});

/** POST /api/accounts → 201 AccountCreated; 409 `handle_taken`. */
export const CreateAccountRequestSchema = z.object({
  handle: RegisteredHandleSchema,
  displayName: DisplayNameSchema,
  identityKey: EC_PUBLIC_KEY_B64,
  device: DeviceKeysSchema,
});

export const AccountCreatedSchema = z.object({
  userId: z.string(),
  deviceId: DeviceIdSchema,
  /** 256-bit bearer token, base64url; stored hashed by the server, shown once. */
  token: z.string(),
});

/** GET /api/users?handle=… or GET /api/users/:userId → User; 404 `user_not_found`. */
export const UserSchema = z.object({
  userId: z.string(),
  handle: HandleSchema,
  displayName: DisplayNameSchema,
  identityKey: EC_PUBLIC_KEY_B64,
  devices: z.array(z.object({ deviceId: DeviceIdSchema, registrationId: RegistrationIdSchema })),
});

/**
 * GET /api/keys/:userId → PreKeyBundles for every device of the user (GET /api/keys/:userId/:deviceId
 * for one). Each fetch consumes one one-time EC prekey and one one-time Kyber prekey per device
 * atomically; without one-time Kyber prekeys the last-resort key is returned.
 */
export const PreKeyBundlesSchema = z.object({
  userId: z.string(),
  identityKey: EC_PUBLIC_KEY_B64,
  devices: z.array(
    z.object({
      deviceId: DeviceIdSchema,
      registrationId: RegistrationIdSchema,
      signedPreKey: SignedPreKeySchema,
      preKey: PreKeySchema.optional(),
      kyberPreKey: KyberPreKeySchema,
    }),
  ),
});

/** PUT /api/keys: replenish or rotate this device's prekeys → 204. */
export const UploadKeysRequestSchema = z.object({
  signedPreKey: SignedPreKeySchema.optional(),
  kyberLastResortPreKey: KyberPreKeySchema.optional(),
  oneTimePreKeys: z.array(PreKeySchema).max(100).optional(),
  kyberOneTimePreKeys: z.array(KyberPreKeySchema).max(100).optional(),
});

/** GET /api/keys → how many one-time prekeys this device has left. */
export const PreKeyCountSchema = z.object({ oneTimePreKeys: z.number().int(), kyberOneTimePreKeys: z.number().int() });
/** Below this many one-time prekeys the server sends a `prekeys-low` frame. */
export const PREKEY_LOW_WATERMARK = 10;

/** GET /api/devices → this account's devices; DELETE /api/devices/:deviceId removes one (not itself). */
export const DeviceListSchema = z.object({
  devices: z.array(z.object({ deviceId: DeviceIdSchema, registrationId: RegistrationIdSchema, createdAt: z.number(), lastSeenAt: z.number() })),
});

// Device linking. The existing device shows a code `<linkId>-<secret>`; only `linkId` is ever sent
// to the server. The secret authenticates the new device's ephemeral key (HMAC) and so keeps a
// server from substituting its own key: the identity key travels encrypted to that ephemeral key.

/** POST /api/link/codes (existing device) → LinkCode; valid 10 minutes, one use. */
export const LinkCodeSchema = z.object({ linkId: z.string().min(8).max(64), expiresAt: z.number() });

/** POST /api/link/requests (new device, no auth) → { requestId }; 404 `link_not_found`, 410 `link_expired`. */
export const LinkRequestSchema = z.object({
  linkId: z.string().min(8).max(64),
  ephemeralPublicKey: EC_PUBLIC_KEY_B64,
  /** HMAC-SHA256(secret, ephemeralPublicKey), base64: checked by the existing device, not the server. */
  mac: base64Bytes(32),
});

/**
 * POST /api/link/requests/:requestId/provision (existing device): the identity key pair and account
 * data, encrypted to the ephemeral key (opaque to the server) → 204.
 */
export const LinkProvisionSchema = z.object({ envelope: base64.min(1).max(8192) });

/**
 * GET /api/link/requests/:requestId (new device, no auth; long-polls up to 25 s) →
 * 200 { envelope, provisioningToken } once provisioned, 202 while waiting, 410 when expired.
 */
export const LinkProvisionedSchema = z.object({ envelope: base64.min(1).max(8192), provisioningToken: z.string() });

/** POST /api/link/complete (new device): register itself as a device of the account → AccountCreated. */
export const CompleteLinkRequestSchema = z.object({ provisioningToken: z.string().min(1).max(256), device: DeviceKeysSchema });

export type DeviceKeys = z.infer<typeof DeviceKeysSchema>;
export type CreateAccountRequest = z.infer<typeof CreateAccountRequestSchema>;
export type AccountCreated = z.infer<typeof AccountCreatedSchema>;
export type User = z.infer<typeof UserSchema>;
export type PreKeyBundles = z.infer<typeof PreKeyBundlesSchema>;
export type UploadKeysRequest = z.infer<typeof UploadKeysRequestSchema>;
export type LinkRequest = z.infer<typeof LinkRequestSchema>;

/**
 * GET /api/turn (authenticated) → the ICE servers a call may use: short-lived TURN REST credentials
 * for coturn (`use-auth-secret`), or none when the server has no TURN configured (host candidates
 * only). `iceTransportPolicy: 'relay'` when the operator wants every call relayed.
 */
export const TurnCredentialsSchema = z.object({
  iceServers: z.array(z.object({ urls: z.array(z.string().min(1).max(256)).min(1).max(8), username: z.string().max(256), credential: z.string().max(256) })).max(4),
  iceTransportPolicy: z.enum(['all', 'relay']),
  /** When the credentials stop working, ms since the epoch; null without TURN. */
  expiresAt: z.number().nullable(),
});

export type TurnCredentials = z.infer<typeof TurnCredentialsSchema>;
