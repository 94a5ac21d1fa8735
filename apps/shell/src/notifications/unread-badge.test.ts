// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { UnreadBadge, badgeText, badgedIconSvg, titleWithUnread } from './unread-badge.js';

describe('the unread count on the tab', () => {
  it('puts the count in front of the title, and nothing when all is read', () => {
    expect(titleWithUnread('Parley', 3)).toBe('(3) Parley');
    expect(titleWithUnread('Parley', 0)).toBe('Parley');
    expect(badgeText(120)).toBe('99+');
  });

  it('draws the count on the icon', () => {
    const svg = badgedIconSvg(7);
    expect(svg).toContain('<circle');
    expect(svg).toMatch(/>7<\/text>/);
  });

  describe('UnreadBadge', () => {
    const made: string[] = [];
    const revoked: string[] = [];
    const urls = {
      create: (svg: string) => {
        made.push(svg);
        return `blob:icon-${made.length}`;
      },
      revoke: (url: string) => void revoked.push(url),
    };
    beforeEach(() => {
      made.length = 0;
      revoked.length = 0;
      document.head.innerHTML = '<link rel="icon" href="/favicon.svg" type="image/svg+xml"><link rel="icon" href="/favicon.ico" sizes="32x32">';
      document.title = 'Parley';
    });
    const icons = () => [...document.querySelectorAll('link[rel="icon"]')].map((link) => [link.getAttribute('href'), link.getAttribute('type')]);

    it('badges title and every icon, replaces the badge as the count changes, and gives both back when all is read', () => {
      const badge = new UnreadBadge(document, urls);
      badge.show(3);
      expect(document.title).toBe('(3) Parley');
      expect(icons()).toEqual([
        ['blob:icon-1', 'image/svg+xml'],
        ['blob:icon-1', 'image/svg+xml'],
      ]);
      badge.show(4);
      expect(document.title).toBe('(4) Parley');
      expect(icons()[0]![0]).toBe('blob:icon-2');
      expect(revoked).toEqual(['blob:icon-1']);
      badge.show(0);
      expect(document.title).toBe('Parley');
      expect(icons()).toEqual([
        ['/favicon.svg', 'image/svg+xml'],
        ['/favicon.ico', null],
      ]);
      expect(revoked).toEqual(['blob:icon-1', 'blob:icon-2']);
    });

    it('makes no new icon while the count stays the same', () => {
      const badge = new UnreadBadge(document, urls);
      badge.show(2);
      badge.show(2);
      expect(made).toHaveLength(1);
      badge.dispose();
      expect(document.title).toBe('Parley');
    });
  });
});
