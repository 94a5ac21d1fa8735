import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SHELL_ROOT = new URL('../..', import.meta.url).pathname;
const output = mkdtempSync(join(tmpdir(), 'parley-shell-inspect-'));
afterAll(() => rmSync(output, { recursive: true, force: true }));

/** Loads the shell's real build configuration (`rsbuild inspect`: the config, without building) under `env`. */
function inspectShellBuild(env: Record<string, string>) {
  const { PARLEY_MANIFEST_KEYS: _keys, PARLEY_DEV_MANIFEST_KEYS: _dev, ...inherited } = process.env;
  return spawnSync('npx', ['rsbuild', 'inspect', '--mode', 'production', '--output', output], { cwd: SHELL_ROOT, env: { ...inherited, ...env }, encoding: 'utf8', timeout: 60_000 });
}

// Each case starts rsbuild in a child process: seconds, more on a busy two-core machine.
describe('the shell build pins manifest keys only when told which', { timeout: 60_000 }, () => {
  it('refuses a production build with no pinned keys and no development flag (it would trust the public development keys)', () => {
    const run = inspectShellBuild({});
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toContain('none were given: set PARLEY_MANIFEST_KEYS');
  });

  it('pins the committed development keys when asked for them by name (PARLEY_DEV_MANIFEST_KEYS=1, tests only)', () => {
    const run = inspectShellBuild({ PARLEY_DEV_MANIFEST_KEYS: '1' });
    expect(run.status, run.stderr).toBe(0);
    const config = readdirSync(output, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.mjs')).map((name) => readFileSync(join(output, name), 'utf8')).join('\n');
    const devKey = JSON.parse(readFileSync(new URL('../../../../tools/dev/manifest-dev-keys.public.json', import.meta.url), 'utf8'))[0].publicKey as string;
    expect(config).toContain(devKey);
  });
});
