// The one build-time switch for test hooks (window.parleyDebug, the bus's inspectSubjects, the call
// app's data-call-mount, the media worker's fault injection): on only in builds for the browser
// tests, which set PARLEY_TEST_HOOKS=1 for every app they build. Production builds (npm run build,
// npm start, tools/deploy) leave it unset, so the minifier drops every hook as dead code.
//
// Code tests the flag as `typeof __PARLEY_TEST_HOOKS__ !== 'undefined' && __PARLEY_TEST_HOOKS__`:
// false where no bundler defined it (unit tests in Node), and a constant the minifier folds where
// one did. Keep the test inside the module that uses it: a flag re-exported from another module is
// not folded reliably.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The environment variable that turns the hooks on for a build ('1'). */
export const TEST_HOOKS_ENV = 'PARLEY_TEST_HOOKS';

/** Whether `env` asks for a build with test hooks. */
export function testHooksEnabled(env = process.env) {
  return env[TEST_HOOKS_ENV] === '1';
}

/** The rsbuild `source.define` entry of the flag, for every app alike. */
export function testHooksDefine(env = process.env) {
  return { __PARLEY_TEST_HOOKS__: JSON.stringify(testHooksEnabled(env)) };
}

/**
 * Names that exist only for tests. A production build whose JavaScript contains one of them ships a
 * hook (tools/size checks every build it measures).
 */
export const TEST_HOOK_NAMES = ['parleyDebug', 'inspectSubjects', 'callMount', 'call-mount', 'corrupt-peer-key', 'misattribute-streams', 'corruptPeerKey', 'parleyForgeGroupSignal', 'parleyRingTimeoutMs'];

/**
 * Every test hook name found in the JavaScript of a build folder, as `{ file, name }` (file relative
 * to `distDir`). Empty for a production build.
 */
export function findTestHooks(distDir) {
  const found = [];
  for (const file of readdirSync(distDir, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.js')) continue;
    const text = readFileSync(join(distDir, file), 'utf8');
    for (const name of TEST_HOOK_NAMES) if (text.includes(name)) found.push({ file, name });
  }
  return found;
}
