// What the QR code on the existing device carries, and how the new browser reads it back.
//
//   parley-link/1 <link code> <server origin>
//
// The link code is exactly what the typed fallback shows (`<linkId>-<secret>`, one use, 10 minutes,
// answered only while the existing device is online), and the origin is the server's public
// address, so that a browser opened on another Parley server says so instead of failing later.
// Nothing else: no account id, handle, token or key. Whoever photographs the screen can therefore
// do exactly what someone reading the typed code over the user's shoulder can — and no more.

/** The first word of every link QR code, with its format version. */
export const LINK_QR_PREFIX = 'parley-link/1';

// A code as device-link.ts makes it: the server's hex link id, a dash, the base32 secret (80 bits).
const LINK_CODE = /^[0-9a-z]{8,64}-[a-z2-7]{16,32}$/;

/** Why a scanned QR code cannot link this browser. */
export type LinkQrProblem = 'not-a-link-code' | 'unsupported-version' | 'other-server';

/** A scanned QR code that cannot be used, with the reason the screen words. */
export class LinkQrError extends Error {
  override readonly name = 'LinkQrError';

  constructor(
    readonly problem: LinkQrProblem,
    message: string,
    /** For `other-server`: the server the code is for. */
    readonly origin?: string,
  ) {
    super(message);
  }
}

/** The text to put in the QR code for `code` on the server at `origin`. */
export function encodeLinkQr(code: string, origin: string): string {
  if (!LINK_CODE.test(code)) throw new LinkQrError('not-a-link-code', 'only a link code as the server made it goes into a QR code');
  return `${LINK_QR_PREFIX} ${code} ${new URL(origin).origin}`;
}

/**
 * The link code in a scanned QR text, checked against this page's origin. Throws a LinkQrError for
 * anything else: another QR code, a later format, or a code for another server.
 */
export function parseLinkQr(text: string, expectedOrigin: string): string {
  const words = text.trim().split(' ');
  if (words.length === 0 || !words[0]!.startsWith('parley-link/')) throw new LinkQrError('not-a-link-code', 'this QR code is not a Parley link code');
  if (words[0] !== LINK_QR_PREFIX) throw new LinkQrError('unsupported-version', `this link QR code has format ${words[0]}, this browser reads ${LINK_QR_PREFIX}`);
  const [, code, origin] = words;
  if (words.length !== 3 || code === undefined || !LINK_CODE.test(code) || origin === undefined || !isOrigin(origin)) {
    throw new LinkQrError('not-a-link-code', 'this QR code names no valid link code and server');
  }
  if (origin !== new URL(expectedOrigin).origin) throw new LinkQrError('other-server', `this link code is for ${origin}`, origin);
  return code;
}

function isOrigin(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.origin === text;
  } catch {
    return false;
  }
}
