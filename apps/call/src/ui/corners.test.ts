import { describe, expect, it } from 'vitest';
import { cornerAfterKey, nearestCorner } from './corners.js';

describe('self view corners', () => {
  it('arrow keys move it to the neighbouring corner and stop at the edges', () => {
    expect(cornerAfterKey('bottom-right', 'ArrowUp')).toBe('top-right');
    expect(cornerAfterKey('bottom-right', 'ArrowLeft')).toBe('bottom-left');
    expect(cornerAfterKey('top-left', 'ArrowUp')).toBe('top-left');
    expect(cornerAfterKey('top-left', 'ArrowDown')).toBe('bottom-left');
    expect(cornerAfterKey('top-left', 'Enter')).toBeNull();
  });

  it('a drag lands in the nearest corner', () => {
    expect(nearestCorner(10, 10, 800, 600)).toBe('top-left');
    expect(nearestCorner(790, 590, 800, 600)).toBe('bottom-right');
    expect(nearestCorner(790, 10, 800, 600)).toBe('top-right');
  });
});
