/**
 * Why a call-link request was refused, as a value. The same codes answer over HTTP (with the
 * status below) and over the SFU requests (`sfu-result`), so a client explains a wrong, revoked or
 * expired link the same way whichever way it asked.
 */
import type { CallLinkErrorCode } from '@parley/contracts';

/** HTTP status of each code: 404 unknown (or wrong verifier), 410 gone for good, 409 taken, 403 not yours. */
export const CALL_LINK_HTTP_STATUS: Record<CallLinkErrorCode, number> = {
  link_not_found: 404,
  link_revoked: 410,
  link_expired: 410,
  link_exists: 409,
  not_link_admin: 403,
  guest_not_allowed: 403,
};

export class CallLinkError extends Error {
  constructor(
    readonly code: CallLinkErrorCode,
    message: string,
  ) {
    super(message);
  }

  get status(): number {
    return CALL_LINK_HTTP_STATUS[this.code];
  }
}
