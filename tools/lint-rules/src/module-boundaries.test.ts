/**
 * The tag rules of ARCHITECTURE.md "Layout", proven: each forbidden import, linted as if it were a
 * file in the project it would break, fails with the architecture rule; each allowed one passes.
 */
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const workspace = fileURLToPath(new URL('../../..', import.meta.url));
const eslint = new ESLint({ cwd: workspace });

async function architectureErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${workspace}${filePath}` });
  return (result?.messages ?? [])
    .filter((m) => m.severity === 2)
    .filter((m) => ['@nx/enforce-module-boundaries', 'no-restricted-imports', 'no-restricted-globals'].includes(m.ruleId ?? ''))
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('forbidden imports fail lint', () => {
  it.each([
    ['an app importing another app', 'apps/shell/src/x.ts', "import { app } from '../../chat/src/remote-app.js';\nexport default app;"],
    ['the call app (Solid) importing React', 'apps/call/src/x.ts', "import { useState } from 'react';\nexport default useState;"],
    ['the chat app (React) importing Solid', 'apps/chat/src/x.ts', "import { createSignal } from 'solid-js';\nexport default createSignal;"],
    ['a std library importing a Node built-in', 'libs/event-bus/src/x.ts', "import { readFileSync } from 'node:fs';\nexport default readFileSync;"],
    ['a std library importing a framework', 'libs/contracts/src/x.ts', "import { createElement } from 'react';\nexport default createElement;"],
    ['a std library touching the DOM', 'libs/event-bus/src/x.ts', 'export const title = document.title;'],
    ['the chat app reaching a shell-only library', 'apps/chat/src/x.ts', "import { fallbackPlugin } from '@parley/mf-runtime';\nexport default fallbackPlugin;"],
  ])('%s', async (_label, file, code) => {
    expect(await architectureErrors(file, code)).not.toEqual([]);
  });
});

describe('allowed imports pass', () => {
  it.each([
    ['the chat app importing the shared bus', 'apps/chat/src/x.ts', "import { bus } from '@parley/event-bus';\nexport default bus;"],
    ['the call app importing Solid', 'apps/call/src/x.ts', "import { createSignal } from 'solid-js';\nexport default createSignal;"],
    ['the shell importing its runtime plugins', 'apps/shell/src/x.ts', "import { fallbackPlugin } from '@parley/mf-runtime';\nexport default fallbackPlugin;"],
    ['a std library importing rxjs', 'libs/event-bus/src/x.ts', "import { Subject } from 'rxjs';\nexport default Subject;"],
    ['a std library test using Node', 'libs/event-bus/src/x.test.ts', "import { readFileSync } from 'node:fs';\nexport default readFileSync;"],
  ])('%s', async (_label, file, code) => {
    expect(await architectureErrors(file, code)).toEqual([]);
  });
});
