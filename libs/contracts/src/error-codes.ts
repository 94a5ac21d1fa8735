import { BLOB_ERROR_CODES } from './attachment-constants.js';
import { CALL_LINK_ERROR_CODES } from './call-link-constants.js';

// Error codes that travel from the server to the apps, or from the shared libraries to the apps'
// screens, declared once. Apps translate a union of them as a total map (TypeScript refuses a
// missing text) and show a generic translated text for any other code: a raw code never reaches
// the screen.

/** `error.code` of an HTTP API error body (`{ error: { code, message } }`), every route's. */
export const API_ERROR_CODES = [
  // Requests: shape, size, routing, authentication, rate.
  'bad_request',
  'bad_json',
  'bad_url',
  'bad_path',
  'invalid_request',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'path_forbidden',
  'unauthorized',
  'upgrade_required',
  'rate_limited',
  'internal',
  // Accounts, devices and prekeys.
  'handle_taken',
  'user_not_found',
  'device_not_found',
  'no_account',
  'cannot_remove_self',
  'too_many_devices',
  'too_many_prekeys',
  'invalid_key',
  'invalid_signature',
  /** The server is checking many prekey uploads: retry in a few seconds. */
  'busy',
  // Device linking (link_not_found and link_expired are shared with call links).
  'link_provisioned',
  // Manifest and releases.
  'contract_missing',
  'contract_invalid',
  'contract_unsupported',
  // Call links.
  ...CALL_LINK_ERROR_CODES,
  // Attachment blobs.
  ...BLOB_ERROR_CODES,
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Codes the client's API layer gives a failed call itself: no answer, or an answer off contract. */
export const API_CLIENT_FAILURE_CODES = ['network', 'invalid_response'] as const;
export type ApiClientFailureCode = (typeof API_CLIENT_FAILURE_CODES)[number];

/** Why linking this browser to an account from another device failed (the messenger's device linking). */
export const DEVICE_LINK_FAILURE_CODES = ['invalid-code', 'link-expired', 'link-not-found', 'bad-envelope', 'wrong-account', 'timeout'] as const;
export type DeviceLinkFailureCode = (typeof DEVICE_LINK_FAILURE_CODES)[number];

/** The code of a failed messenger operation (`MessengerFailure`). */
export const MESSENGER_FAILURE_CODES = ['user-not-found', 'network', 'identity-untrusted', 'devices-changed-loop', 'rate-limited', 'queue-full', 'invalid'] as const;
export type MessengerFailureCode = (typeof MESSENGER_FAILURE_CODES)[number];

/** Some codes of union `U`: a typo or a code `U` does not have is a compile error (unlike `Extract`). */
export type CodesOf<U extends string, K extends U> = K;

/** The string `code` a thrown value or failure carries, if any. */
export function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The text of `code` in a translation that is total over some union of codes, or `fallback` for
 * any code it does not know (a newer server, an unexpected failure): never the raw code.
 */
export function textForCode<C extends string>(texts: Readonly<Record<C, string>>, code: string | null | undefined, fallback: string): string {
  return code != null && Object.hasOwn(texts, code) ? texts[code as C] : fallback;
}
