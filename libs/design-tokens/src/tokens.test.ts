import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { THEME_CHOICES, isThemeChoice } from './index.js';

const here = dirname(fileURLToPath(import.meta.url));
const tokensCss = readFileSync(join(here, 'tokens.css'), 'utf8');
const defined = new Set([...tokensCss.matchAll(/(--p-[\w-]+)\s*:/g)].map((match) => match[1]));
const appsRoot = join(here, '../../../apps');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'dist' ? [] : sourceFiles(path);
    return /\.(css|tsx?)$/.test(name) ? [path] : [];
  });
}

describe('design tokens', () => {
  it('every colour has a light and a dark value, or is the same in both on purpose (the call stage)', () => {
    const colours = [...tokensCss.matchAll(/(--p-color-[\w-]+):\s*([^;]+);/g)];
    expect(colours.length).toBeGreaterThan(20);
    for (const [, name, value] of colours) {
      if (name!.startsWith('--p-color-stage') || name === '--p-color-scrim') continue;
      expect(value, name).toMatch(/^light-dark\(/);
    }
  });

  it('the apps read only tokens that exist', () => {
    const missing: string[] = [];
    for (const file of sourceFiles(appsRoot)) {
      for (const [, name] of readFileSync(file, 'utf8').matchAll(/var\((--p-[\w-]+)/g)) {
        if (!defined.has(name!)) missing.push(`${file.slice(appsRoot.length + 1)}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('theme choices', () => {
    expect(THEME_CHOICES).toEqual(['system', 'light', 'dark']);
    expect(isThemeChoice('dark')).toBe(true);
    expect(isThemeChoice('sepia')).toBe(false);
  });
});
