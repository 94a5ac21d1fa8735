// Fails when a production build ships a test hook (tools/mf-build/test-hooks.mjs): run by `npm test`
// right after it builds every app without PARLEY_TEST_HOOKS. `node tools/test/check-no-test-hooks.mjs`
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { findTestHooks, testHooksEnabled } from '../mf-build/test-hooks.mjs';

const APPS = ['shell', 'chat', 'call'];
const root = fileURLToPath(new URL('../../', import.meta.url));

if (testHooksEnabled()) {
  console.error('check-no-test-hooks: PARLEY_TEST_HOOKS=1 is set, so these builds are test builds; build without it');
  process.exit(1);
}
let failed = false;
for (const app of APPS) {
  const dist = `${root}apps/${app}/dist`;
  if (!existsSync(dist)) {
    console.error(`check-no-test-hooks: ${app} is not built (apps/${app}/dist)`);
    failed = true;
    continue;
  }
  const hooks = findTestHooks(dist);
  for (const { file, name } of hooks) console.error(`check-no-test-hooks: apps/${app}/dist/${file} contains the test hook "${name}"`);
  if (hooks.length > 0) failed = true;
  else console.log(`${app}: no test hook in its production build`);
}
process.exit(failed ? 1 : 0);
