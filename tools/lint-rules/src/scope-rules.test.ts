/**
 * The call engine's scope rule, proven: a bare subscription or timer in its sources fails lint; the
 * same through a scope passes, and its tests and fakes may subscribe by hand.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';

const workspace = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: workspace });

async function scopeErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${workspace}${filePath}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const BARE = {
  subscription: "import { Subject } from 'rxjs';\nexport const s = new Subject<number>();\ns.subscribe(() => undefined);",
  timer: 'export const t = setTimeout(() => undefined, 10);',
  'clock timer': "import { systemClock } from '@parley/clock';\nexport const t = systemClock.setTimeout(() => undefined, 10);",
  'unscoped schedule': "import { schedule, systemClock } from '@parley/clock';\nexport const cancel = schedule(systemClock, 10, () => undefined);",
};

const SCOPED =
  "import { Subject } from 'rxjs';\nimport { systemClock } from '@parley/clock';\nimport { ObservableScope } from '@parley/event-bus/scope';\nimport { scheduleIn } from './scoped-timer.js';\n" +
  'const scope = new ObservableScope();\nscope.bind(new Subject<number>(), () => undefined);\nexport const cancel = scheduleIn(scope, systemClock, 10, () => undefined);';

describe('the call engine subscribes and waits only in a scope', () => {
  // The first lint loads the config, the parser and the project graph: seconds on a busy machine.
  beforeAll(() => eslint.lintText('', { filePath: `${workspace}libs/call-engine/src/x.ts` }), 60_000);

  it.each(Object.entries(BARE))('a bare %s in its sources fails lint', async (_label, code) => {
    expect(await scopeErrors('libs/call-engine/src/x.ts', code)).toHaveLength(1);
  });

  it('the same through a scope passes', async () => {
    expect(await scopeErrors('libs/call-engine/src/x.ts', SCOPED)).toEqual([]);
  });

  it('its tests and fakes may subscribe by hand', async () => {
    expect(await scopeErrors('libs/call-engine/src/x.test.ts', BARE.subscription)).toEqual([]);
    expect(await scopeErrors('libs/call-engine/src/testing.ts', BARE.subscription)).toEqual([]);
  });
});
