/** A corner of the stage the self view sits in. */
export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';

/** The corner an arrow key moves the self view to (other keys: null). */
export function cornerAfterKey(corner: Corner, key: string): Corner | null {
  const [vertical, horizontal] = corner.split('-') as ['top' | 'bottom', 'left' | 'right'];
  switch (key) {
    case 'ArrowUp':
      return `top-${horizontal}`;
    case 'ArrowDown':
      return `bottom-${horizontal}`;
    case 'ArrowLeft':
      return `${vertical}-left`;
    case 'ArrowRight':
      return `${vertical}-right`;
    default:
      return null;
  }
}

/** The corner nearest to where a drag ended, the point relative to the stage's size. */
export function nearestCorner(x: number, y: number, width: number, height: number): Corner {
  return `${y < height / 2 ? 'top' : 'bottom'}-${x < width / 2 ? 'left' : 'right'}`;
}
