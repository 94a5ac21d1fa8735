import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { brotliDecompressSync } from 'node:zlib';
import { precompressFolder } from '../../../../tools/mf-build/precompress.mjs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '@parley/contracts';
import { ManualClock } from '@parley/clock/testing';
import { publishLocalBuilds } from './local-builds.js';
import { ReleaseError, ReleaseRegistry } from './release-registry.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { tempFolder } from '../testing/test-support.js';

function build(root: string, name: string, entry: string, version = '1.0.0'): string {
  const dir = join(root, `build-${Math.random().toString(36).slice(2)}`);
  mkdirSync(join(dir, 'static', 'js'), { recursive: true });
  writeFileSync(join(dir, 'remoteEntry.js'), entry);
  writeFileSync(join(dir, 'static', 'js', 'main.0123abcd.js'), `// chunk of ${entry}`);
  writeFileSync(join(dir, 'mf-manifest.json'), JSON.stringify({ metaData: { name, buildInfo: { buildVersion: version } } }));
  return dir;
}

const code = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof ReleaseError ? error.code : String(error);
  }
};

describe('ReleaseRegistry', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let storage: SqliteStorage;
  let registry: ReleaseRegistry;
  const clock = new ManualClock(1_750_000_000_000);

  beforeEach(async () => {
    folder = await tempFolder();
    storage = new SqliteStorage({ dataDir: folder.path, clock });
    await storage.open();
    registry = new ReleaseRegistry(storage, { dataDir: folder.path, clock });
  });
  afterEach(async () => {
    await storage.close();
    await folder.remove();
  });

  it('compresses a release once when it is published (brotli and gzip beside each file), still the same build', async () => {
    const dist = build(folder.path, 'call', `var call = ${JSON.stringify('x'.repeat(4_000))};`);
    await registry.publish({ remote: 'call', version: '1.0.0', distDir: dist });
    const release = join(folder.path, 'releases', 'call', '1.0.0');
    expect(brotliDecompressSync(readFileSync(join(release, 'remoteEntry.js.br'))).toString()).toBe(readFileSync(join(dist, 'remoteEntry.js'), 'utf8'));
    expect(existsSync(join(release, 'remoteEntry.js.gz'))).toBe(true);
    // The copies are made from the build, not part of it: the same build with its own copies is unchanged.
    expect((await registry.publish({ remote: 'call', version: '1.0.0', distDir: dist })).status).toBe('unchanged');
    await precompressFolder(dist);
    expect((await registry.publish({ remote: 'call', version: '1.0.0', distDir: dist })).status).toBe('unchanged');
  });

  it('publishes one build from two processes at once: one publishes it, the other finds it identical, and it becomes the default once', async () => {
    // A second connection to the same database and folder: another node starting on the shared folder.
    const other = new SqliteStorage({ dataDir: folder.path, clock });
    await other.open();
    try {
      const registries = [registry, new ReleaseRegistry(other, { dataDir: folder.path, clock })];
      const dist = build(folder.path, 'call', `var call = ${JSON.stringify('y'.repeat(50_000))};`, '0.2.0');
      const outcomes = await Promise.all(registries.map((each, i) => publishLocalBuilds(each, i === 0 ? storage : other, { call: dist })));
      expect(outcomes.flat().sort((a, b) => a.status.localeCompare(b.status))).toMatchObject([
        { status: 'published', renamed: false, madeDefault: true },
        { status: 'unchanged', renamed: false, madeDefault: false },
      ]);
      expect((await registry.releases('call')).map((release) => release.version)).toEqual(['0.2.0']);
      expect(await registry.localReleasesMissing('call')).toEqual([]);
      expect((await registry.currentRules('call')).revision).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('names the releases the database holds whose files this data folder lacks or holds with other bytes', async () => {
    await registry.publish({ remote: 'call', version: '1.0.0', distDir: build(folder.path, 'call', 'one') });
    await registry.publish({ remote: 'call', version: '1.1.0', distDir: build(folder.path, 'call', 'two', '1.1.0') });
    await registry.register({ remote: 'call', version: '2.0.0', entry: 'https://cdn.example/call/remoteEntry.js', integrity: 'sha384-x', contracts: '^1.0.0' });
    expect(await registry.localReleasesMissing('call')).toEqual([]);
    // Another node's folder: the same database, release files of its own (or none).
    const elsewhere = new ReleaseRegistry(storage, { dataDir: join(folder.path, 'other-node'), clock });
    expect(await elsewhere.localReleasesMissing('call')).toEqual(['1.0.0', '1.1.0']);
    writeFileSync(join(folder.path, 'releases', 'call', '1.1.0', 'remoteEntry.js'), 'changed');
    expect(await registry.localReleasesMissing('call')).toEqual(['1.1.0']);
  });

  it('publishes a build as an immutable release with the sha384 of its entry, idempotently', async () => {
    const dist = build(folder.path, 'call', 'var call = 1;');
    const first = await registry.publish({ remote: 'call', version: '1.0.0', distDir: dist });
    expect(first.status).toBe('published');
    expect(first.release).toMatchObject({
      remote: 'call',
      version: '1.0.0',
      entry: '/releases/1.0.0/remoteEntry.js',
      integrity: `sha384-${createHash('sha384').update('var call = 1;').digest('base64')}`,
      contracts: `^${CONTRACT_VERSION}`,
    });
    expect(readFileSync(join(folder.path, 'releases', 'call', '1.0.0', 'static', 'js', 'main.0123abcd.js'), 'utf8')).toContain('chunk');
    expect((await registry.publish({ remote: 'call', version: '1.0.0', distDir: dist })).status).toBe('unchanged');

    // Other bytes under a published version are refused; the release on disk is untouched.
    expect(await code(registry.publish({ remote: 'call', version: '1.0.0', distDir: build(folder.path, 'call', 'var evil;') }))).toBe('release-exists');
    expect(readFileSync(join(folder.path, 'releases', 'call', '1.0.0', 'remoteEntry.js'), 'utf8')).toBe('var call = 1;');
  });

  it('refuses builds of another remote, unbuilt folders, bad versions and bad contract ranges', async () => {
    expect(await code(registry.publish({ remote: 'call', version: '1.0.0', distDir: build(folder.path, 'chat', 'x') }))).toBe('wrong-build');
    expect(await code(registry.publish({ remote: 'call', version: '1.0.0', distDir: join(folder.path, 'nothing') }))).toBe('not-built');
    expect(await code(registry.publish({ remote: 'call', version: 'v1', distDir: build(folder.path, 'call', 'x') }))).toBe('invalid-version');
    expect(await code(registry.publish({ remote: 'call', version: '1.0.0', distDir: build(folder.path, 'call', 'x'), contracts: '>=1' }))).toBe('invalid-contracts');
    expect(await code(registry.publish({ remote: 'video', version: '1.0.0', distDir: build(folder.path, 'call', 'x') }))).toBe('unknown-remote');
  });

  it('validates every rule change against the published releases', async () => {
    expect(await code(registry.setDefault('call', '9.9.9'))).toBe('invalid-rules');
    expect(await code(registry.promotePercent('call', '1.0.0', 101))).toBe('invalid-argument');
    expect((await registry.currentRules('call')).revision).toBe(0);
  });

  it('promotes to beta, a percentage (keeping the group when widening) and users; rollback undoes step by step', async () => {
    await registry.publish({ remote: 'call', version: '1.0.0', distDir: build(folder.path, 'call', 'v1') });
    await registry.publish({ remote: 'call', version: '2.0.0', distDir: build(folder.path, 'call', 'v2') });
    await registry.setDefault('call', '1.0.0');
    await registry.promoteBeta('call', '2.0.0');
    await registry.promotePercent('call', '2.0.0', 10);
    await registry.promotePercent('call', '2.0.0', 50);
    await registry.promoteUsers('call', '2.0.0', ['qa-1']);
    let { rules } = await registry.currentRules('call');
    expect(rules).toEqual({
      killed: false,
      denylist: [],
      allowlist: [{ userId: 'qa-1', version: '2.0.0' }],
      beta: '2.0.0',
      rollouts: [{ groupId: 'call-2.0.0', percent: 50, version: '2.0.0' }],
      defaultVersion: '1.0.0',
    });

    await registry.rollback('call');
    ({ rules } = await registry.currentRules('call'));
    expect(rules.allowlist).toEqual([]);
    await registry.rollback('call');
    ({ rules } = await registry.currentRules('call'));
    expect(rules.rollouts).toEqual([{ groupId: 'call-2.0.0', percent: 10, version: '2.0.0' }]);

    await registry.setDefault('call', '2.0.0');
    ({ rules } = await registry.currentRules('call'));
    expect(rules).toMatchObject({ defaultVersion: '2.0.0', rollouts: [] });
    const back = await registry.rollback('call');
    expect(back.rules).toMatchObject({ defaultVersion: '1.0.0', rollouts: [{ percent: 10 }] });
    expect((await registry.history('call', 1))[0]).toMatchObject({ change: `rollback to revision ${back.restored}`, restores: back.restored });
  });

  it('the kill switch turns the remote off for everyone; unkill restores the rules', async () => {
    await registry.publish({ remote: 'call', version: '1.0.0', distDir: build(folder.path, 'call', 'v1') });
    await registry.setDefault('call', '1.0.0');
    await registry.kill('call');
    expect((await registry.explain('call', { userId: 'u', beta: false }, CONTRACT_VERSION)).reason).toBe('none: kill switch is on');
    await registry.unkill('call');
    expect((await registry.explain('call', { userId: 'u', beta: false }, CONTRACT_VERSION)).reason).toBe('1.0.0 via default');
  });

  it('npm start publishes local builds once and never replaces a published release with other bytes', async () => {
    const v1 = build(folder.path, 'call', 'first build', '0.2.0');
    expect(await publishLocalBuilds(registry, storage, { call: v1, chat: join(folder.path, 'unbuilt') })).toEqual([
      { remote: 'call', status: 'published', version: '0.2.0', renamed: false, madeDefault: true },
      { remote: 'chat', status: 'missing' },
    ]);
    expect(await publishLocalBuilds(registry, storage, { call: v1 })).toEqual([
      { remote: 'call', status: 'unchanged', version: '0.2.0', renamed: false, madeDefault: false },
    ]);
    const rebuilt = build(folder.path, 'call', 'second build', '0.2.0');
    const [outcome] = await publishLocalBuilds(registry, storage, { call: rebuilt });
    expect(outcome).toMatchObject({ status: 'published', renamed: true, madeDefault: true, version: expect.stringMatching(/^0\.2\.0-local-[0-9a-f]{8}$/) });
    expect(readFileSync(join(folder.path, 'releases', 'call', '0.2.0', 'remoteEntry.js'), 'utf8')).toBe('first build');

    // An operator's own default stands.
    await registry.publish({ remote: 'call', version: '3.0.0', distDir: build(folder.path, 'call', 'ops') });
    await registry.setDefault('call', '3.0.0');
    const [again] = await publishLocalBuilds(registry, storage, { call: build(folder.path, 'call', 'third build', '0.2.0') });
    expect(again).toMatchObject({ madeDefault: false });
    expect((await registry.currentRules('call')).rules.defaultVersion).toBe('3.0.0');
  });
});
