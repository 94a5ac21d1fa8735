import { describe, expect, it } from 'vitest';
import { mayPresent, presenterOf } from './group-presenter.js';

describe('presenterOf', () => {
  it('is nobody while nobody shares a screen', () => {
    expect(presenterOf([])).toBeNull();
    expect(presenterOf([{ index: 0, presenting: false }, { index: 4, presenting: false }])).toBeNull();
  });

  it('is the one who shares', () => {
    expect(presenterOf([{ index: 0, presenting: false }, { index: 4, presenting: true }])).toBe(4);
  });

  it('of two who claimed the screen at the same moment, is the one who joined first, whatever the order they are listed in', () => {
    expect(presenterOf([{ index: 7, presenting: true }, { index: 3, presenting: true }, { index: 5, presenting: false }])).toBe(3);
    expect(presenterOf([{ index: 3, presenting: true }, { index: 7, presenting: true }])).toBe(3);
  });
});

describe('mayPresent', () => {
  it('lets someone present while nobody does, and the presenter again', () => {
    expect(mayPresent(2, null)).toEqual({ ok: true });
    expect(mayPresent(2, 2)).toEqual({ ok: true });
  });

  it('refuses a second presenter, naming the one who presents', () => {
    expect(mayPresent(2, 0)).toEqual({ ok: false, presenter: 0 });
    expect(mayPresent(null, 5)).toEqual({ ok: false, presenter: 5 });
  });
});
