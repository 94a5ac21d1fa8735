// The shell's start-up preload hints (tools/mf-build/startup-preload-plugin.mjs): which chunks the
// entry's import loads before it resolves, and the after-build check that every hint carries the
// integrity its chunk loader holds.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Rspack } from '@rsbuild/core';
import { checkPreloads, linkTags, startupChunkFiles } from '../../mf-build/startup-preload-plugin.mjs';

const sri = (text: string) => `sha384-${createHash('sha384').update(text).digest('base64')}`;

interface FakeModule {
  identifier(): string;
  readableIdentifier(): string;
}
const moduleNamed = (name: string): FakeModule => ({ identifier: () => name, readableIdentifier: () => name });
const chunk = (files: string[], modules: FakeModule[] = []) => ({ files: new Set(files), modules });
const group = (chunks: ReturnType<typeof chunk>[], origin: { module?: FakeModule; request?: string }, initial = false) => ({
  chunks,
  origins: [origin],
  isInitial: () => initial,
});

const consumeReact = moduleNamed('consume shared module (default) react@^19.3.1 (strict) (fallback: /n/react/index.js)');
const consumeDomClient = moduleNamed('consume shared module (default) react-dom/client@^19.3.1 (strict) (fallback: /n/react-dom/client.js)');
const consumeBus = moduleNamed('consume shared module (default) @parley/event-bus@^1.0.0 (strict) (fallback: /l/event-bus/src/index.ts)');
const consumeSignaling = moduleNamed('consume shared module (default) @parley/signaling@^1.0.0 (strict) (fallback: /l/signaling/src/index.ts)');
const index = moduleNamed('./src/index.ts');

function compilationOf(groups: ReturnType<typeof group>[]): Rspack.Compilation {
  return {
    chunkGroups: groups,
    chunkGraph: { getChunkModules: (c: ReturnType<typeof chunk>) => c.modules },
  } as unknown as Rspack.Compilation;
}

describe('startupChunkFiles', () => {
  const bootstrap = chunk(['static/js/async/z.js', 'static/css/async/z.css'], [consumeReact, consumeDomClient, consumeBus]);
  const react = chunk(['static/js/async/y.js']);
  const domClient = chunk(['static/js/async/58.js'], [consumeReact]);
  const common = chunk(['static/js/async/parley-common.js']);
  const bus = chunk(['static/js/async/5r.js']);
  const busFallback = chunk(['static/js/async/1.js']);
  const signaling = chunk(['static/js/async/s.js'], [consumeBus]);
  const shellChunk = chunk(['static/js/async/u.js'], [consumeSignaling]);
  const groups = [
    group([chunk(['static/js/index.js'], [index])], {}, true),
    group([bootstrap], { module: index, request: './bootstrap.js' }),
    group([shellChunk], { module: index, request: './Shell.js' }),
    group([react], { module: moduleNamed('provide shared module (default) react@19.3.1 = /n/react/index.js') }),
    group([domClient], { module: moduleNamed('provide shared module (default) react-dom/client@19.3.1 = /n/react-dom/client.js') }),
    group([common, bus], { module: moduleNamed('provide shared module (default) @parley/event-bus@1.0.0 = /l/event-bus/src/index.ts') }),
    group([common, busFallback], { module: consumeBus }),
    group([common, signaling], { module: moduleNamed('provide shared module (default) @parley/signaling@1.0.0 = /l/signaling/src/index.ts') }),
  ];

  it('is the import’s own chunks and, transitively, the providers of the shared modules they consume, each once', () => {
    expect(startupChunkFiles(compilationOf(groups), './bootstrap.js')).toEqual([
      'static/js/async/z.js',
      'static/css/async/z.css',
      'static/js/async/y.js',
      'static/js/async/58.js',
      'static/js/async/parley-common.js',
      'static/js/async/5r.js',
    ]);
  });

  it('leaves out what only another import needs, and the fallback of a share the host provides', () => {
    const files = startupChunkFiles(compilationOf(groups), './bootstrap.js');
    expect(files).not.toContain('static/js/async/u.js');
    expect(files).not.toContain('static/js/async/s.js');
    expect(files).not.toContain('static/js/async/1.js');
  });

  it('takes a consumer’s fallback when the host provides no such share', () => {
    const withoutBusProvider = groups.filter((g) => !g.chunks.includes(bus));
    expect(startupChunkFiles(compilationOf(withoutBusProvider), './bootstrap.js')).toContain('static/js/async/1.js');
  });

  it('fails the build when the import is not found', () => {
    expect(() => startupChunkFiles(compilationOf(groups), './nothing.js')).toThrow(/one chunk group for import\('\.\/nothing\.js'\), found 0/);
  });
});

describe('checkPreloads', () => {
  const files: Record<string, string> = { 'static/js/async/z.js': 'console.log("z")', 'static/js/async/58.js': 'console.log("react-dom")' };
  const readDist = async (path: string) => {
    if (!(path in files)) throw new Error(`no ${path}`);
    return Buffer.from(files[path]!);
  };
  const entry = `sriHashes={z:"${sri(files['static/js/async/z.js']!)}",58:"${sri(files['static/js/async/58.js']!)}"}`;
  const hint = (path: string, extra = '') => `<link rel="preload" as="script" href="/${path}" integrity="${sri(files[path]!)}" crossorigin="anonymous"${extra}>`;

  it('passes hints that carry their file’s sha384, the loader’s credentials mode and an integrity the loader holds', async () => {
    const html = `<head><link rel="icon" href="/favicon.svg">${hint('static/js/async/z.js')}${hint('static/js/async/58.js')}</head>`;
    expect(await checkPreloads({ html, entry, readDist })).toEqual({ preloads: 2, problems: [] });
  });

  it('names a hint without integrity, with another credentials mode, or with a hash the loader does not hold', async () => {
    const html = [
      '<link rel="preload" as="script" href="/static/js/async/z.js" crossorigin="anonymous">',
      `<link rel="preload" as="script" href="/static/js/async/58.js" integrity="${sri(files['static/js/async/58.js']!)}">`,
    ].join('');
    const { problems } = await checkPreloads({ html, entry: 'sriHashes={}', readDist });
    expect(problems).toEqual([
      expect.stringMatching(/^\/static\/js\/async\/z\.js: integrity \(none\)/),
      '/static/js/async/z.js: its integrity is not the one the entry\'s chunk loader holds',
      expect.stringMatching(/^\/static\/js\/async\/58\.js: crossorigin \(none\)/),
      '/static/js/async/58.js: its integrity is not the one the entry\'s chunk loader holds',
    ]);
  });

  it('names a hint whose file changed after its hash was written', async () => {
    const html = hint('static/js/async/z.js');
    const changed = async (path: string) => Buffer.from(`${(await readDist(path)).toString()};globalThis.x=1`);
    const { problems } = await checkPreloads({ html, entry, readDist: changed });
    expect(problems[0]).toMatch(/^\/static\/js\/async\/z\.js: integrity sha384-.+, the file's is sha384-/);
  });
});

describe('linkTags', () => {
  it('reads each link’s attributes, valueless ones as empty', () => {
    expect(linkTags('<link rel="preload" as="script" href="/a.js" crossorigin><link rel="icon" href="/favicon.svg" />')).toEqual([
      { rel: 'preload', as: 'script', href: '/a.js', crossorigin: '' },
      { rel: 'icon', href: '/favicon.svg' },
    ]);
  });
});
