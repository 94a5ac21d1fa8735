import { describe, expect, it } from 'vitest';
import { leafModules } from '../../mf-build/bundle-stats-plugin.mjs';
import { dependencyCosts, packageOf } from './dependency-costs.js';

describe('packageOf', () => {
  it.each([
    ['../../node_modules/zod/v4/classic/schemas.js', 'zod'],
    ['../../node_modules/@noble/curves/ed25519.js', '@noble/curves'],
    ['../../node_modules/.pnpm/x@1/node_modules/@scope/pkg/index.js', '@scope/pkg'],
    ['../../libs/messenger/src/index.ts', '@parley/messenger'],
    ['./src/ChatApp.tsx', 'app source'],
    ['webpack/runtime/jsonp_chunk_loading', 'bundler runtime'],
    ['provide shared module (default) react@19.3.1 = /repo/node_modules/react/index.js', 'module federation glue'],
    ['consume shared module (default) rxjs@^7 (singleton)', 'module federation glue'],
    ['@module-federation/runtime/rspack.js!=!data:text/javascript,import%20x', '@module-federation/runtime'],
  ])('%s belongs to %s', (name, expected) => {
    expect(packageOf(name)).toBe(expected);
  });
});

describe('dependencyCosts', () => {
  it('sums each package, heaviest first, with the part in initial chunks', () => {
    const costs = dependencyCosts([
      { name: '../../node_modules/zod/a.js', size: 300, initial: true },
      { name: '../../node_modules/zod/b.js', size: 200, initial: false },
      { name: './src/App.tsx', size: 100, initial: true },
    ]);
    expect(costs).toEqual([
      { package: 'zod', bytes: 500, initialBytes: 300, modules: 2 },
      { package: 'app source', bytes: 100, initialBytes: 100, modules: 1 },
    ]);
  });
});

describe('leafModules (the bundle stats plugin)', () => {
  it('opens a concatenation into its modules, skips unused orphans, and marks what initial chunks carry', () => {
    const stats = [
      {
        name: './src/index.ts + 1 modules',
        size: 30,
        chunks: ['main'],
        modules: [
          { name: './src/index.ts', size: 10, orphan: true },
          { name: '../../node_modules/zod/a.js', size: 20, orphan: true },
        ],
      },
      { name: '../../node_modules/zod/a.js', size: 20, orphan: true },
      { name: '../../node_modules/zod/unused.js', size: 99, orphan: true },
      { name: './src/lazy.ts', size: 5, chunks: ['lazy'] },
    ];
    expect(leafModules(stats, new Set(['main']))).toEqual([
      { name: './src/index.ts', size: 10, initial: true },
      { name: '../../node_modules/zod/a.js', size: 20, initial: true },
      { name: './src/lazy.ts', size: 5, initial: false },
    ]);
  });
});
