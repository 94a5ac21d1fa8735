/**
 * TEMPORARY development authentication. Anyone can claim any user id with a token of the form
 * `dev.<userId>`. Real device tokens (256-bit random, stored hashed, ARCHITECTURE "Who owns what")
 * replace this module with the chat issue; nothing else should parse tokens.
 */

const DEV_TOKEN = /^dev\.([A-Za-z0-9_-]{3,64})$/;

/** Who a token belongs to. Every device is device 1 until devices are registered. */
export interface AuthenticatedDevice {
  userId: string;
  deviceId: number;
}

/** The device a development token names, or null when the token is not one. */
export function authenticateToken(token: string): AuthenticatedDevice | null {
  const match = DEV_TOKEN.exec(token);
  return match?.[1] ? { userId: match[1], deviceId: 1 } : null;
}

/** The device named by an `Authorization: Bearer <token>` header, or null. */
export function authenticateHeader(header: string | undefined): AuthenticatedDevice | null {
  const match = /^Bearer +(\S+)$/i.exec(header ?? '');
  return match?.[1] ? authenticateToken(match[1]) : null;
}
