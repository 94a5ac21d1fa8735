/**
 * An avatar without a picture: initials on a colour derived from the account id, the same on every
 * device. Stand-in until the shell's pure helper in @parley/design-tokens (`src/avatar.ts`) lands:
 * the call app then reads that one instead.
 */
export interface AvatarLook {
  readonly initials: string;
  /** Hue (0–359) of the background; the CSS keeps saturation and lightness so text contrast holds in both themes. */
  readonly hue: number;
}

/** Initials (first letters of the first and last words, at most two) and a hue hashed from the account id. */
export function avatarLook(accountId: string, displayName: string): AvatarLook {
  const words = displayName.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[words.length - 1]!] : words.slice(0, 1);
  const initials = letters.map((word) => Array.from(word)[0]!.toLocaleUpperCase()).join('') || '?';
  // FNV-1a over UTF-16 units: stable, cheap, spreads similar ids apart.
  let hash = 0x811c9dc5;
  for (let i = 0; i < accountId.length; i++) hash = Math.imul(hash ^ accountId.charCodeAt(i), 0x01000193);
  return { initials, hue: (hash >>> 0) % 360 };
}
