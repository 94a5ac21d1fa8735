import { describe, expect, it } from 'vitest';
import { leafModules } from '../../mf-build/bundle-stats-plugin.mjs';
import { contentsOfFile, dependencyCosts, packageOf } from './dependency-costs.js';

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
    ['@module-federation/runtime/rspack.js!=!data:text/javascript,import%20x', 'module federation glue'],
    ['../../tools/mf-build/remote-bundler-runtime.mjs', 'module federation glue'],
    ['../../node_modules/@module-federation/runtime/dist/index.js', '@module-federation/runtime'],
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
    const chunkFiles = new Map([
      ['main', ['static/js/index.1.js']],
      ['lazy', ['static/js/async/lazy.2.js']],
    ]);
    expect(leafModules(stats, new Set(['main']), chunkFiles)).toEqual([
      { name: './src/index.ts', size: 10, initial: true, files: ['static/js/index.1.js'] },
      { name: '../../node_modules/zod/a.js', size: 20, initial: true, files: ['static/js/index.1.js'] },
      { name: './src/lazy.ts', size: 5, initial: false, files: ['static/js/async/lazy.2.js'] },
    ]);
  });
});

describe('contentsOfFile', () => {
  it('names the packages of the file a URL ends in, heaviest first', () => {
    const modules = [
      { name: '../../node_modules/zod/v4/a.js', size: 2048, initial: false, files: ['static/js/async/o.1.js'] },
      { name: './src/App.tsx', size: 1024, initial: false, files: ['static/js/async/o.1.js', 'static/js/async/p.2.js'] },
      { name: '../../node_modules/rxjs/x.js', size: 4096, initial: false, files: ['static/js/async/p.2.js'] },
    ];
    expect(contentsOfFile(modules, 'static/js/async/o.1.js')).toBe('zod 2.0 kB, app source 1.0 kB');
    expect(contentsOfFile(modules, 'static/js/async/missing.js')).toBe('');
  });
});
