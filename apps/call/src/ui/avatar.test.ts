import { describe, expect, it } from 'vitest';
import { avatarLook } from './avatar.js';

describe('avatarLook', () => {
  it('takes the first letters of the first and last names', () => {
    expect(avatarLook('u1', 'Alice Liddell').initials).toBe('AL');
    expect(avatarLook('u1', 'bob').initials).toBe('B');
    expect(avatarLook('u1', 'Анна Мария Петрова').initials).toBe('АП');
    expect(avatarLook('u1', '   ').initials).toBe('?');
  });

  it('derives the colour from the account, not the name', () => {
    expect(avatarLook('account-1', 'Alice').hue).toBe(avatarLook('account-1', 'Someone else').hue);
    const hues = new Set(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => avatarLook(id, 'X').hue));
    expect(hues.size).toBeGreaterThan(3);
    for (const hue of hues) expect(hue).toBeGreaterThanOrEqual(0);
  });
});
