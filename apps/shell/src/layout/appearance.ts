/**
 * The look the user chose in Settings, kept in this browser (localStorage): the theme
 * (System/Light/Dark, applied as `data-theme` on <html>; public/theme-boot.js applies the same key
 * before the first paint) and how a call shares the page with the chat.
 */
import { type ThemeChoice, isThemeChoice } from '@parley/design-tokens';

/** The localStorage key of the theme; public/theme-boot.js reads the same key. */
export const THEME_KEY = 'parley.theme';
const CALL_LAYOUT_KEY = 'parley.call-layout';
const SPLIT_KEY = 'parley.call-split';

/** Where a call goes when it takes the stage: beside a narrow chat column, or a split the user sizes. */
export const CALL_LAYOUT_CHOICES = ['stage', 'split'] as const;
export type CallLayoutChoice = (typeof CALL_LAYOUT_CHOICES)[number];

/** The part of localStorage these preferences use (a fake in tests). */
export type PreferenceStore = Pick<Storage, 'getItem' | 'setItem'>;

export function readTheme(store: PreferenceStore): ThemeChoice {
  const stored = store.getItem(THEME_KEY);
  return isThemeChoice(stored) ? stored : 'system';
}

export function readCallLayout(store: PreferenceStore): CallLayoutChoice {
  return store.getItem(CALL_LAYOUT_KEY) === 'split' ? 'split' : 'stage';
}

export function writeCallLayout(store: PreferenceStore, choice: CallLayoutChoice): void {
  store.setItem(CALL_LAYOUT_KEY, choice);
}

/** Pins the theme on the page (`system` leaves it to the OS) and remembers the choice. */
export function applyTheme(root: Pick<HTMLElement, 'setAttribute' | 'removeAttribute'>, store: PreferenceStore, choice: ThemeChoice): void {
  store.setItem(THEME_KEY, choice);
  if (choice === 'system') root.removeAttribute('data-theme');
  else root.setAttribute('data-theme', choice);
}

/** The chat's share of a side-by-side split, in percent: never so small or large that one side is unusable. */
export const SPLIT_LIMITS = { min: 20, max: 70, step: 5, initial: 35 } as const;

export function clampSplit(percent: number): number {
  if (!Number.isFinite(percent)) return SPLIT_LIMITS.initial;
  return Math.round(Math.min(SPLIT_LIMITS.max, Math.max(SPLIT_LIMITS.min, percent)));
}

export function readSplit(store: PreferenceStore): number {
  const stored = store.getItem(SPLIT_KEY);
  return stored === null ? SPLIT_LIMITS.initial : clampSplit(Number(stored));
}

export function writeSplit(store: PreferenceStore, percent: number): void {
  store.setItem(SPLIT_KEY, String(clampSplit(percent)));
}

/**
 * What a key does to the split, as the WAI-ARIA window splitter pattern says: arrows move it a
 * step, Home and End to the limits; null for any other key.
 */
export function splitAfterKey(percent: number, key: string): number | null {
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clampSplit(percent - SPLIT_LIMITS.step);
    case 'ArrowRight':
    case 'ArrowUp':
      return clampSplit(percent + SPLIT_LIMITS.step);
    case 'Home':
      return SPLIT_LIMITS.min;
    case 'End':
      return SPLIT_LIMITS.max;
    default:
      return null;
  }
}
