/**
 * Avatars without pictures: a person's initials on a colour derived from their account id. Pure
 * and deterministic (the same account has the same colour on every device and in every app, and
 * screenshots stay stable); no DOM, so the React and Solid apps both use it.
 */

/** How many avatar colours there are: `avatarColour(id)` is `var(--p-avatar-<0…n-1>)`. */
export const AVATAR_COLOUR_COUNT = 8;

/** Up to two initials of a display name: first letters of the first and last words, upper case. */
export function initialsOf(name: string): string {
  // Letters and digits only: punctuation, emoji and invisible characters never become an initial.
  const words = name
    .normalize('NFC')
    .split(/\s+/)
    .map((word) => [...word].find((char) => /[\p{L}\p{N}]/u.test(char)))
    .filter((initial): initial is string => initial !== undefined);
  if (words.length === 0) return '?';
  const chosen = words.length === 1 ? [words[0]!] : [words[0]!, words[words.length - 1]!];
  return chosen.join('').toLocaleUpperCase();
}

/** FNV-1a over the UTF-16 code units: small, fast and spreads similar ids apart. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** Which of the avatar colours an account has (0 … AVATAR_COLOUR_COUNT - 1). */
export function avatarColourIndex(accountId: string): number {
  return fnv1a(accountId) % AVATAR_COLOUR_COUNT;
}

/**
 * The CSS colour of an account's avatar: a token whose light and dark values both carry white
 * initials at 4.5:1 or better (see tokens.css), so any pair passes the contrast audit.
 */
export function avatarColour(accountId: string): string {
  return `var(--p-avatar-${avatarColourIndex(accountId)})`;
}
