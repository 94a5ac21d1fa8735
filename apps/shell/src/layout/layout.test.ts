import { describe, expect, it } from 'vitest';
import { SPLIT_LIMITS, applyTheme, clampSplit, readCallLayout, readSplit, readTheme, splitAfterKey, writeCallLayout, writeSplit } from './appearance.js';
import { shellLayout } from './shell-layout.js';

function memoryStore(initial: Record<string, string> = {}) {
  const values = new Map(Object.entries(initial));
  return { getItem: (key: string) => values.get(key) ?? null, setItem: (key: string, value: string) => void values.set(key, value), values };
}

describe('shell layout', () => {
  const base = { mode: 'none', callAsksForSpace: true, guest: false, choice: 'stage' } as const;

  it('gives the chat the main area until the call asks for the stage', () => {
    expect(shellLayout(base)).toBe('chat');
    expect(shellLayout({ ...base, mode: 'overlay' })).toBe('chat');
    expect(shellLayout({ ...base, mode: 'stage' })).toBe('stage');
    expect(shellLayout({ ...base, mode: 'stage', choice: 'split' })).toBe('split');
  });

  it('shows a guest the call alone, whatever the call asks for', () => {
    expect(shellLayout({ ...base, guest: true })).toBe('call-only');
    expect(shellLayout({ ...base, guest: true, mode: 'stage', choice: 'split' })).toBe('call-only');
  });

  it('keeps the side column for a call release that never asks for space', () => {
    expect(shellLayout({ ...base, callAsksForSpace: false })).toBe('column');
    expect(shellLayout({ ...base, callAsksForSpace: false, guest: true })).toBe('call-only');
  });
});

describe('appearance preferences', () => {
  it('theme: system unless a valid choice was stored; applying pins it on <html> and stores it', () => {
    const store = memoryStore({ 'parley.theme': 'sepia' });
    expect(readTheme(store)).toBe('system');
    const attributes = new Map<string, string>();
    const root = { setAttribute: (name: string, value: string) => void attributes.set(name, value), removeAttribute: (name: string) => void attributes.delete(name) };
    applyTheme(root, store, 'dark');
    expect(attributes.get('data-theme')).toBe('dark');
    expect(readTheme(store)).toBe('dark');
    applyTheme(root, store, 'system');
    expect(attributes.has('data-theme')).toBe(false);
    expect(readTheme(store)).toBe('system');
  });

  it('call layout: the stage unless side by side was chosen', () => {
    const store = memoryStore();
    expect(readCallLayout(store)).toBe('stage');
    writeCallLayout(store, 'split');
    expect(readCallLayout(store)).toBe('split');
  });

  it('split: kept within its limits, moved by the window-splitter keys', () => {
    const store = memoryStore({ 'parley.call-split': 'garbage' });
    expect(readSplit(store)).toBe(SPLIT_LIMITS.initial);
    writeSplit(store, 99);
    expect(readSplit(store)).toBe(SPLIT_LIMITS.max);
    expect(clampSplit(3)).toBe(SPLIT_LIMITS.min);
    expect(splitAfterKey(40, 'ArrowLeft')).toBe(35);
    expect(splitAfterKey(40, 'ArrowRight')).toBe(45);
    expect(splitAfterKey(SPLIT_LIMITS.max, 'ArrowRight')).toBe(SPLIT_LIMITS.max);
    expect(splitAfterKey(40, 'Home')).toBe(SPLIT_LIMITS.min);
    expect(splitAfterKey(40, 'End')).toBe(SPLIT_LIMITS.max);
    expect(splitAfterKey(40, 'a')).toBeNull();
  });
});
