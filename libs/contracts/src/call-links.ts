/**
 * Call links (issue 9): a link anyone invited can open to join a group call. The link carries a
 * root secret (≥ 128 bits) in the URL fragment, which browsers never send to a server:
 *
 *   https://<shell>/call#<base64url(root secret, 16 bytes)>
 *
 * From the root secret each client derives (HKDF-SHA256, no salt, see CALL_LINK_LABELS):
 *   roomId    16 bytes, base64url — names the link to the server (public, like a URL path)
 *   verifier  32 bytes, base64url — proves knowledge of the secret; the server stores only its
 *             SHA-256 and compares in constant time, so a copy of the database lets no one join
 *   nameKey   16 bytes, AES-128-GCM — encrypts the optional call name (`encryptedName`: base64 of
 *             12-byte IV ‖ ciphertext ‖ tag), which the server keeps but cannot read
 *
 * So the server knows a room id, a verifier hash and ciphertext: never the secret or the name.
 * Joining a link's call goes through the SFU requests (sfu.ts ops `join-link`, `admit`, `remove`):
 * media and keys are the group call's, and a link holder gets keys only once admitted (keys go to
 * participants, and one is a participant only after the server let them join).
 */
import { parseBase64Url } from '@parley/bytes';
import { z } from 'zod';
import { AccountCreatedSchema, CreateAccountRequestSchema, HandleSchema } from './accounts-api.js';

// Its constants live apart, free of zod, for code that needs no schema (the shell's first screen, issue 20).
export * from './call-link-constants.js';

/** The canonical unpadded base64url of exactly `bytes` bytes. */
const base64url = (bytes: number) => z.string().refine((text) => parseBase64Url(text)?.length === bytes, `base64url without padding of ${bytes} bytes`);
export const CallLinkRoomIdSchema = base64url(16);
export const CallLinkVerifierSchema = base64url(32);
/** IV ‖ AES-GCM ciphertext ‖ tag of a name of at most 128 characters, standard base64. */
export const EncryptedCallNameSchema = z.string().min(40).max(1024).regex(/^[A-Za-z0-9+/]+={0,2}$/, 'standard base64');

/** POST /api/call-links (device token) → 201 CallLink; 409 `link_exists` for a room id in use. */
export const CreateCallLinkRequestSchema = z.object({
  roomId: CallLinkRoomIdSchema,
  verifier: CallLinkVerifierSchema,
  encryptedName: EncryptedCallNameSchema.optional(),
  /** Admin approval: the creator admits each person who opens the link. */
  approval: z.boolean(),
});

/** What anyone holding the link (roomId + verifier) may read of it, and what its creator sees. */
export const CallLinkSchema = z.object({
  roomId: CallLinkRoomIdSchema,
  encryptedName: EncryptedCallNameSchema.nullable(),
  approval: z.boolean(),
  creator: z.object({ userId: z.string(), displayName: z.string() }),
  createdAt: z.number().int(),
  /** Last time someone joined through it (or its creation); it expires CALL_LINK_EXPIRY_MS later. */
  lastUsedAt: z.number().int(),
  expiresAt: z.number().int(),
});


/** PATCH /api/call-links/:roomId (creator's token) → 200 CallLink: approval mode or name. */
export const UpdateCallLinkRequestSchema = z.object({
  approval: z.boolean().optional(),
  encryptedName: EncryptedCallNameSchema.nullable().optional(),
});

/**
 * POST /api/call-links/:roomId/reset (creator's token) → 201 CallLink under the new room id: the
 * link moves to a new secret; the old one answers `link_revoked` from then on.
 */
export const ResetCallLinkRequestSchema = CreateCallLinkRequestSchema.omit({ approval: true });

/** DELETE /api/call-links/:roomId (creator's token) → 204: revoked; its call ends. */

/** GET /api/call-links (device token) → 200 { links: CallLink[] }: this user's links, not revoked or expired. */
export const CallLinkListSchema = z.object({ links: z.array(CallLinkSchema) });

/**
 * Guests: a person without an account opens a link. POST /api/guests with a display name and the
 * same device keys as an account (accounts-api.ts DeviceKeysSchema and an identity key) → 201
 * AccountCreated of a temporary account (a generated handle, `guest: true`), able to receive Signal
 * messages — and so media keys — like anyone. DELETE /api/accounts/self (its token) removes it when
 * the guest leaves; the server removes idle ones by itself (none of their devices connected to the
 * relay nor seen for an hour by default; the server's DiskLimits.guestIdleMs).
 */

/** POST /api/guests (no token; rate-limited per address): an account request without a handle. */
export const CreateGuestRequestSchema = CreateAccountRequestSchema.omit({ handle: true });
/** The guest's account: AccountCreated plus its generated handle (never findable) and the flag. */
export const GuestCreatedSchema = AccountCreatedSchema.extend({ handle: HandleSchema, guest: z.literal(true) });

export type CreateCallLinkRequest = z.infer<typeof CreateCallLinkRequestSchema>;
export type CallLink = z.infer<typeof CallLinkSchema>;
export type UpdateCallLinkRequest = z.infer<typeof UpdateCallLinkRequestSchema>;
export type ResetCallLinkRequest = z.infer<typeof ResetCallLinkRequestSchema>;
export type CreateGuestRequest = z.infer<typeof CreateGuestRequestSchema>;
export type GuestCreated = z.infer<typeof GuestCreatedSchema>;
