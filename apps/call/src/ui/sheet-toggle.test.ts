import { createRoot } from 'solid-js';
import { describe, expect, it } from 'vitest';
import { createSheetToggle } from './sheet-toggle.js';

describe('createSheetToggle', () => {
  it('opens and closes the sheet, and closing gives the focus back to its button', () => {
    createRoot((dispose) => {
      const sheet = createSheetToggle();
      let focused = 0;
      sheet.button({ focus: () => (focused += 1) } as unknown as HTMLButtonElement);
      expect(sheet.open()).toBe(false);
      sheet.toggle();
      expect(sheet.open()).toBe(true);
      sheet.close();
      expect(sheet.open()).toBe(false);
      expect(focused).toBe(1);
      // The button toggles without moving the focus (it has it already).
      sheet.toggle();
      sheet.toggle();
      expect([sheet.open(), focused]).toEqual([false, 1]);
      dispose();
    });
  });
});
