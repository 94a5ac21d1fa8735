/** How a number of equal tiles is laid out in an area: columns, rows and each tile's size in px. */
export interface GridFit {
  readonly columns: number;
  readonly rows: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
}

/**
 * The columns and rows that give `count` tiles of `aspect` (width / height) the largest size inside
 * `width` × `height` with `gap` px between them, none outside the area: every column count is tried
 * (at most 32 tiles, so this is cheap) and the one whose limiting side gives the biggest tile wins.
 * Sizes are floored to whole pixels so rounding never pushes the last tile out.
 */
export function fitGrid(count: number, width: number, height: number, aspect = 16 / 9, gap = 8): GridFit {
  if (count <= 0 || width <= 0 || height <= 0) return { columns: 0, rows: 0, tileWidth: 0, tileHeight: 0 };
  let best: GridFit = { columns: 1, rows: count, tileWidth: 0, tileHeight: 0 };
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    if (cellWidth <= 0 || cellHeight <= 0) continue;
    // The tile keeps its aspect: whichever side of the cell is shorter for it decides.
    const tileWidth = Math.floor(Math.min(cellWidth, cellHeight * aspect));
    const tileHeight = Math.floor(tileWidth / aspect);
    if (tileWidth > best.tileWidth) best = { columns, rows, tileWidth, tileHeight };
  }
  return best;
}
