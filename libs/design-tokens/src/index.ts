/**
 * The theme choices the shell offers in Settings. `system` follows the OS (`prefers-color-scheme`);
 * the others pin `data-theme` on <html>. The tokens themselves are `./tokens.css`.
 */
export const THEME_CHOICES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEME_CHOICES)[number];

export function isThemeChoice(value: unknown): value is ThemeChoice {
  return typeof value === 'string' && (THEME_CHOICES as readonly string[]).includes(value);
}

export { AVATAR_COLOUR_COUNT, avatarColour, avatarColourIndex, initialsOf } from './avatar.js';
