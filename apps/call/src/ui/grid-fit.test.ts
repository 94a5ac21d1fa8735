import { describe, expect, it } from 'vitest';
import { fitGrid } from './grid-fit.js';

/** Every tile of the fit lies inside the area (gaps included). */
function fitsInside(count: number, width: number, height: number, gap = 8): boolean {
  const fit = fitGrid(count, width, height, 16 / 9, gap);
  const usedWidth = fit.columns * fit.tileWidth + (fit.columns - 1) * gap;
  const usedHeight = fit.rows * fit.tileHeight + (fit.rows - 1) * gap;
  return fit.columns * fit.rows >= count && usedWidth <= width && usedHeight <= height && fit.tileWidth > 0;
}

describe('fitGrid', () => {
  it('one tile takes the whole width of a wide area, limited by its height', () => {
    expect(fitGrid(1, 1600, 450, 16 / 9, 0)).toEqual({ columns: 1, rows: 1, tileWidth: 800, tileHeight: 450 });
  });

  it('two tiles sit side by side on a wide stage and one above the other on a tall one', () => {
    expect(fitGrid(2, 1280, 700).columns).toBe(2);
    expect(fitGrid(2, 390, 700).columns).toBe(1);
  });

  it('nine tiles on a 16:9 stage make three by three', () => {
    const fit = fitGrid(9, 1280, 720, 16 / 9, 0);
    expect([fit.columns, fit.rows]).toEqual([3, 3]);
    expect(fit.tileWidth).toBe(426);
  });

  it('every count from 1 to 32 fits inside a 1280×800 stage, a phone and a narrow column', () => {
    for (const [width, height] of [[1280, 700], [390, 640], [380, 900], [200, 120]] as const) {
      for (let count = 1; count <= 32; count++) expect(fitsInside(count, width, height), `${count} in ${width}×${height}`).toBe(true);
    }
  });

  it('nothing to lay out, or no room: no grid', () => {
    expect(fitGrid(0, 1280, 800).columns).toBe(0);
    expect(fitGrid(4, 0, 800).tileWidth).toBe(0);
  });
});
