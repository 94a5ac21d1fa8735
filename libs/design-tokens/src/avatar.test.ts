import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AVATAR_COLOUR_COUNT, avatarColour, avatarColourIndex, initialsOf } from './avatar.js';

const tokensCss = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'tokens.css'), 'utf8');

/** WCAG 2 relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

function token(name: string): string {
  const match = new RegExp(`${name}:\\s*(#[0-9a-f]{6});`, 'i').exec(tokensCss);
  if (!match) throw new Error(`${name} is not a #rrggbb token`);
  return match[1]!;
}

describe('initialsOf', () => {
  it('takes the first letters of the first and last words', () => {
    expect(initialsOf('Alice Liddell')).toBe('AL');
    expect(initialsOf('Ada King Lovelace')).toBe('AL');
    expect(initialsOf('bob')).toBe('B');
  });

  it('works for any script and skips what is not a letter or digit', () => {
    expect(initialsOf('маша петрова')).toBe('МП');
    expect(initialsOf('  "Grace"   (Hopper) ')).toBe('GH');
    expect(initialsOf('🎉 Team 42')).toBe('T4');
  });

  it('gives a placeholder when the name has nothing to take', () => {
    expect(initialsOf('')).toBe('?');
    expect(initialsOf(' 🎉 … ')).toBe('?');
  });
});

describe('avatar colours', () => {
  it('are the same for the same account every time', () => {
    expect(avatarColourIndex('user-123')).toBe(avatarColourIndex('user-123'));
    expect(avatarColour('user-123')).toBe(`var(--p-avatar-${avatarColourIndex('user-123')})`);
  });

  it('spread similar account ids over the palette', () => {
    const used = new Set(Array.from({ length: 64 }, (_, n) => avatarColourIndex(`user-${n}`)));
    expect(used.size).toBe(AVATAR_COLOUR_COUNT);
    for (const index of used) expect(index).toBeGreaterThanOrEqual(0);
  });

  it('every colour carries its initials at 4.5:1 or better (WCAG AA)', () => {
    const text = token('--p-avatar-text');
    for (let index = 0; index < AVATAR_COLOUR_COUNT; index++) {
      expect(contrast(token(`--p-avatar-${index}`), text), `--p-avatar-${index}`).toBeGreaterThanOrEqual(4.5);
    }
  });
});
