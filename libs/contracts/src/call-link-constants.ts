// Call links' constants (call-links.ts has the schemas and the story): a module without zod, so
// importing them loads no schema code (the shell's onboarding path, issue 20).

/** HKDF info labels of the values derived from a link's root secret. */
export const CALL_LINK_LABELS = {
  roomId: 'Parley call link room id 1.0',
  verifier: 'Parley call link verifier 1.0',
  nameKey: 'Parley call link name key 1.0',
} as const;
/** Bytes of a link's root secret (128 bits, the minimum). */
export const CALL_LINK_SECRET_BYTES = 16;
/** A link unused this long expires (its room id and verifier are forgotten). */
export const CALL_LINK_EXPIRY_MS = 90 * 24 * 60 * 60 * 1000;

/**
 * GET /api/call-links/:roomId with header `X-Call-Link-Verifier` → 200 CallLink. The same 404
 * `link_not_found` for an unknown, wrong-verifier, revoked or expired link would hide which it
 * is; the client needs to say why, so: 404 `link_not_found` (unknown room id or wrong verifier),
 * 410 `link_revoked`, 410 `link_expired`. 403 `not_link_admin`: PATCH, reset or DELETE by anyone but
 * the creator. 403 `guest_not_allowed`: a guest account creating a link (guests only join).
 */
export const CALL_LINK_ERROR_CODES = ['link_not_found', 'link_revoked', 'link_expired', 'link_exists', 'not_link_admin', 'guest_not_allowed'] as const;
/** One of the {@link CALL_LINK_ERROR_CODES}. */
export type CallLinkErrorCode = (typeof CALL_LINK_ERROR_CODES)[number];
