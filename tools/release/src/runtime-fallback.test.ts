// The wrapped remote entry (tools/mf-build/runtime-fallback.mjs) run as a browser would run it: as a
// classic script whose global is the page, with the shell's runtime core provided or not.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { finishRemoteEntry, sha384Integrity, withRuntimeFallback } from '../../mf-build/runtime-fallback.mjs';

const FULL_INTEGRITY = 'sha384-FmNX1RT4Yz36tfFikP7hL8btEVpCDgkE5csWscP6c3y0v11tJdkSD9cGO5A+j/q0';
/** Stands for the slim build: a `var chat` container that says it is the slim one, and notes that it ran. */
const SLIM = 'var chat;(()=>{self.slimRan=true;chat={init:()=>"slim init",get:()=>"slim get"}})();';
const ENTRY_URL = 'https://chat.parley.example/releases/1.4.0/remoteEntry.js';

interface FakeScript {
  src?: string;
  integrity?: string;
  crossOrigin?: string;
  nonce?: string;
  onload?: () => void;
  onerror?: () => void;
}

/** A page with the shell's runtime core (of `version`) or none, where `entry` runs as a script from ENTRY_URL. */
function runEntry(entry: string, provided: { version: string } | null) {
  const appended: FakeScript[] = [];
  const page: Record<string, unknown> = {
    URL,
    Promise,
    document: {
      currentScript: { src: ENTRY_URL, nonce: '' },
      createElement: () => ({}) as FakeScript,
      head: { appendChild: (script: FakeScript) => appended.push(script) },
    },
  };
  page.self = page;
  if (provided) {
    page._FEDERATION_RUNTIME_CORE = { ModuleFederation: class {} };
    page._FEDERATION_RUNTIME_CORE_FROM = { name: 'shell', version: provided.version };
  }
  runInNewContext(entry, page);
  return { page, appended, container: page.chat as { init: (...args: unknown[]) => Promise<unknown>; get: (module: string) => Promise<unknown> } };
}

const wrapped = () => withRuntimeFallback(SLIM, { name: 'chat', runtimeVersion: '2.9.2', fullEntry: 'full/remoteEntry.js', fullIntegrity: FULL_INTEGRITY });

describe('a remote entry that uses the shell’s federation runtime', () => {
  it('runs its slim code, loading nothing more, when the shell provides the same runtime version', () => {
    const { page, appended, container } = runEntry(wrapped(), { version: '2.9.2' });
    expect(page.slimRan).toBe(true);
    expect(container.init()).toBe('slim init');
    expect(appended).toEqual([]);
  });

  it.each([
    ['an older shell that provides no runtime', null],
    ['a shell built with another runtime version', { version: '2.10.0' }],
  ])('in %s, loads the full entry next to itself with its integrity, and hands init and get to it', async (_, provided) => {
    const { page, appended, container } = runEntry(wrapped(), provided);
    expect(page.slimRan).toBeUndefined();
    expect(appended).toHaveLength(1);
    const script = appended[0]!;
    expect(script).toMatchObject({ src: 'https://chat.parley.example/releases/1.4.0/full/remoteEntry.js', integrity: FULL_INTEGRITY, crossOrigin: 'anonymous' });

    // The host asks at once; the answer waits for the full entry.
    const calls: unknown[][] = [];
    const init = container.init('share scope', 'init scope', { shareScopeKeys: 'default' });
    const get = container.get('./App');
    // The full entry's `var chat` replaces the stand-in on the page, as a browser does.
    page.chat = {
      init: (...args: unknown[]) => (calls.push(args), 'full init'),
      get: (module: string) => `full get ${module}`,
    };
    script.onload?.();
    await expect(init).resolves.toBe('full init');
    await expect(get).resolves.toBe('full get ./App');
    expect(calls).toEqual([['share scope', 'init scope', { shareScopeKeys: 'default' }]]);
    // Whoever looks the container up again gets the same stand-in.
    expect(page.chat).toBe(container);
  });

  it('fails init when the full entry does not load (a network error or a failed integrity check)', async () => {
    const { appended, container } = runEntry(wrapped(), null);
    appended[0]?.onerror?.();
    await expect(container.init('s', 'i', {})).rejects.toThrow('its full entry could not be loaded');
    await expect(container.get('./App')).rejects.toThrow('its full entry could not be loaded');
  });

  it('fails init when the full entry defined no container', async () => {
    const { appended, container } = runEntry(wrapped(), null);
    appended[0]?.onload?.();
    await expect(container.init('s', 'i', {})).rejects.toThrow('its full entry defined no container');
  });

  it('refuses to wrap an entry of another shape, or with a bad integrity', () => {
    const options = { name: 'chat', runtimeVersion: '2.9.2', fullEntry: 'full/remoteEntry.js', fullIntegrity: FULL_INTEGRITY };
    expect(() => withRuntimeFallback('"use strict";var chat;(()=>{})();', options)).toThrow('does not start with');
    expect(() => withRuntimeFallback(SLIM, { ...options, fullIntegrity: 'sha1-abc' })).toThrow('not an SRI hash');
    expect(() => withRuntimeFallback(SLIM, { ...options, name: 'chat; alert(1)' })).toThrow('not a container name');
  });
});

describe('finishing a remote build', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('pins the full entry’s sha384 in the slim entry and compresses the wrapped entry again', async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-runtime-fallback-'));
    mkdirSync(join(dir, 'full'));
    const full = `var chat;(()=>{chat={init(){},get(){}}})();${'/* full runtime */'.repeat(200)}`;
    writeFileSync(join(dir, 'full/remoteEntry.js'), full);
    writeFileSync(join(dir, 'remoteEntry.js'), `${SLIM}${' '.repeat(2000)}`);
    // A copy left from the slim build: it stands for bytes that are about to change.
    writeFileSync(join(dir, 'remoteEntry.js.gz'), 'stale');

    const integrity = await finishRemoteEntry(dir, { name: 'chat', runtimeVersion: '2.9.2' });

    expect(integrity).toBe(sha384Integrity(full));
    const entry = readFileSync(join(dir, 'remoteEntry.js'), 'utf8');
    expect(entry).toContain(JSON.stringify(integrity));
    expect(readFileSync(join(dir, 'remoteEntry.js.gz'), 'utf8')).not.toBe('stale');
    expect(existsSync(join(dir, 'remoteEntry.js.br'))).toBe(true);
    await expect(finishRemoteEntry(dir, { name: 'chat', runtimeVersion: '2.9.2' })).rejects.toThrow('already wrapped');
  });
});
