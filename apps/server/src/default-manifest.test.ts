import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RemoteReleaseSchema } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { localRelease, writeDefaultManifest } from './default-manifest.js';

function fakeBuild(name: string, version: string, entry: string): string {
  const dir = mkdtempSync(join(tmpdir(), `parley-${name}-`));
  writeFileSync(join(dir, 'remoteEntry.js'), entry);
  writeFileSync(join(dir, 'mf-manifest.json'), JSON.stringify({ metaData: { name, buildInfo: { buildVersion: version } } }));
  return dir;
}

describe('default manifest', () => {
  it('describes a built remote with its version and the sha384 of its entry', () => {
    const dist = fakeBuild('call', '0.3.1', 'var call = 1;');
    const release = localRelease(dist, 'http://localhost:4202', 'call');
    expect(release).toEqual({
      entry: 'http://localhost:4202/remoteEntry.js',
      version: '0.3.1',
      integrity: `sha384-${createHash('sha384').update('var call = 1;').digest('base64')}`,
    });
    expect(RemoteReleaseSchema.parse(release)).toEqual(release);
  });

  it('refuses a folder that holds another remote', () => {
    expect(() => localRelease(fakeBuild('chat', '1.0.0', 'x'), 'http://localhost:4202', 'call')).toThrow(/build of "chat"/);
  });

  it('writes the default, rewrites its own, never touches an operator file, and skips unbuilt remotes', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-data-'));
    const chat = fakeBuild('chat', '0.1.0', 'chat v1');
    const unbuilt = join(dataDir, 'nothing-here');
    mkdirSync(unbuilt);
    const first = writeDefaultManifest(dataDir, { chat: { distDir: chat, origin: 'http://localhost:4201' }, call: { distDir: unbuilt, origin: 'http://localhost:4202' } });
    expect(first).toEqual({ written: true, missing: ['call'] });
    const file = join(dataDir, 'manifest.json');
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).remotes)).toEqual(['chat']);

    writeFileSync(join(chat, 'remoteEntry.js'), 'chat v2');
    writeDefaultManifest(dataDir, { chat: { distDir: chat, origin: 'http://localhost:4201' } });
    expect(JSON.parse(readFileSync(file, 'utf8')).remotes.chat.integrity).toBe(`sha384-${createHash('sha384').update('chat v2').digest('base64')}`);

    const operator = JSON.stringify({ remotes: {} });
    writeFileSync(file, operator);
    expect(writeDefaultManifest(dataDir, { chat: { distDir: chat, origin: 'http://localhost:4201' } }).written).toBe(false);
    expect(readFileSync(file, 'utf8')).toBe(operator);
  });
});
