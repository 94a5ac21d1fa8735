/**
 * Nodes starting together on one shared data folder and one PostgreSQL (issue 22), as an operator's
 * systemd units or a container orchestrator start them: each publishes the local builds into the
 * folder at start and checks that the folder holds every release the database names. Publishing
 * is serialized between the nodes and idempotent, so every node starts, whichever comes first, and
 * serves the one release of each build; none is refused, none publishes a renamed copy.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTRACT_VERSION } from '@parley/contracts';
import type { ChildServer } from '../testing/child-server.js';
import { childServersPerTest, registerAccount, scratchPostgresPerFile, tempFolder } from '../testing/test-support.js';

/** Nodes started at once, and how many times (each on a fresh folder and database). */
const NODES = 3;
const ROUNDS = 3;
/** Chunks per fake build: enough files that copying and compressing them takes a while, as a real build's do. */
const CHUNKS = 60;

/** A build of `app` at `version` the way rsbuild leaves it: an entry, the federation manifest, chunks. */
function fakeBuild(root: string, app: 'shell' | 'chat' | 'call', version: string): string {
  const dir = join(root, 'builds', app);
  mkdirSync(join(dir, 'static', 'js'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), `<!doctype html><title>${app}</title>`);
  writeFileSync(join(dir, 'remoteEntry.js'), `var ${app} = ${JSON.stringify(version)};`);
  writeFileSync(join(dir, 'mf-manifest.json'), JSON.stringify({ metaData: { name: app, buildInfo: { buildVersion: version } } }));
  for (let i = 0; i < CHUNKS; i += 1) {
    writeFileSync(join(dir, 'static', 'js', `${i}.${app}.js`), `/* ${app} chunk ${i} */ ${'export const x = "compressible";\n'.repeat(2_000)}`);
  }
  return dir;
}

describe('nodes starting together on one data folder and PostgreSQL', () => {
  const cluster = scratchPostgresPerFile();
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  // Registered after the folders' clean-up: hooks run last-registered first, so the nodes stop first.
  const node = childServersPerTest();

  it(`${NODES} nodes started at once all start and serve the same releases, ${ROUNDS} times over`, { timeout: 240_000 }, async () => {
    const builds = await tempFolder();
    cleanups.push(() => builds.remove());
    const dist = { shell: fakeBuild(builds.path, 'shell', '0.1.0'), chat: fakeBuild(builds.path, 'chat', '0.7.0'), call: fakeBuild(builds.path, 'call', '0.8.0') };
    for (let round = 1; round <= ROUNDS; round += 1) {
      const folder = await tempFolder();
      cleanups.push(() => folder.remove());
      const env = {
        PARLEY_DATABASE_URL: await cluster.createDatabase(),
        PARLEY_SHELL_DIST: dist.shell,
        PARLEY_CHAT_DIST: dist.chat,
        PARLEY_CALL_DIST: dist.call,
        // Group calls on (a Janus nobody runs: only the SFU room key in the shared folder matters here).
        PARLEY_JANUS: 'ws://127.0.0.1:9',
      };
      const started = await Promise.allSettled(Array.from({ length: NODES }, () => node(folder.path, env)));
      const refused = started.flatMap((outcome) => (outcome.status === 'rejected' ? [String(outcome.reason)] : []));
      expect(refused, `round ${round}: a node did not start`).toEqual([]);
      const nodes = started.map((outcome) => (outcome as PromiseFulfilledResult<ChildServer>).value);

      for (const [i, each] of nodes.entries()) {
        // Serves: an account made through it, and its manifest names the one release of each build.
        const account = await registerAccount(each.addresses.api, `round${round}.node${i}`);
        const response = await fetch(`${each.addresses.api}/api/manifest?contract=${CONTRACT_VERSION}`, { headers: { authorization: `Bearer ${account.token}` } });
        expect(response.status).toBe(200);
        const remotes = JSON.parse(((await response.json()) as { manifest: string }).manifest).remotes as Record<string, { version: string }>;
        expect({ chat: remotes.chat?.version, call: remotes.call?.version }, `round ${round}, node ${i}`).toEqual({ chat: '0.7.0', call: '0.8.0' });
        for (const remote of ['chat', 'call'] as const) {
          const entry = await fetch(`${each.addresses[remote]}/releases/${remotes[remote]!.version}/remoteEntry.js`);
          expect(await entry.text()).toBe(readFileSync(join(dist[remote], 'remoteEntry.js'), 'utf8'));
        }
        // Nobody published a renamed copy of a build another node had published at the same moment.
        expect(each.log(), `round ${round}, node ${i}`).not.toContain('published it as a local version');
      }
      for (const each of nodes) {
        each.process.kill('SIGTERM');
        await each.exited;
      }
    }
  });
});
