import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { precompressFolder } from '../../mf-build/precompress.mjs';
import { appSize, encodedSize, sharedSizes } from './static-sizes.js';

describe('static sizes', () => {
  let dist: string;
  const code = `export const words = ${JSON.stringify('shared singleton '.repeat(300))};`;

  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'size-static-'));
    mkdirSync(join(dist, 'static/js'), { recursive: true });
    writeFileSync(join(dist, 'static/js/rxjs.0123456789.js'), code);
    writeFileSync(join(dist, 'static/js/app.abcdef0123.js'), code.replace('shared', 'app'));
    writeFileSync(join(dist, 'logo.png'), Buffer.alloc(2048, 1));
    writeFileSync(
      join(dist, 'mf-manifest.json'),
      JSON.stringify({
        shared: [{ name: 'rxjs', version: '7.8.2', singleton: true, assets: { js: { sync: ['static/js/rxjs.0123456789.js'], async: [] }, css: { sync: [], async: [] } } }],
      }),
    );
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  it('reads the precompressed copies the build wrote, the same sizes it would make itself', async () => {
    const made = encodedSize(join(dist, 'static/js/rxjs.0123456789.js'));
    await precompressFolder(dist);
    const read = encodedSize(join(dist, 'static/js/rxjs.0123456789.js'));
    expect(read.raw).toBe(code.length);
    expect(read.br).toBeLessThan(read.gzip);
    expect(read.gzip).toBeLessThan(read.raw);
    expect(read).toEqual(made);
  });

  it('sums only code (not images, not the copies) per app, and sizes each shared singleton by its files', async () => {
    await precompressFolder(dist);
    const one = encodedSize(join(dist, 'static/js/rxjs.0123456789.js'));
    expect(appSize(dist).raw).toBe(code.length + code.replace('shared', 'app').length);
    expect(sharedSizes(dist)).toEqual([{ name: 'rxjs', version: '7.8.2', singleton: true, files: 1, ...one }]);
  });

  it('leaves out the folders it is told to skip (a remote’s full build for older shells)', () => {
    mkdirSync(join(dist, 'full/static/js'), { recursive: true });
    writeFileSync(join(dist, 'full/remoteEntry.js'), code);
    writeFileSync(join(dist, 'full/static/js/app.js'), code);
    const app = code.length + code.replace('shared', 'app').length;
    expect(appSize(dist).raw).toBe(app + 2 * code.length);
    expect(appSize(dist, ['full']).raw).toBe(app);
    // A name is a folder of dist itself, not one met deeper down (full/static stays).
    expect(appSize(dist, ['static']).raw).toBe(2 * code.length);
  });
});
