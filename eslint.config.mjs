// Lint for the whole workspace. Architecture rules (ARCHITECTURE.md "Layout") are enforced here:
// Nx's module-boundary rule for project tags, plus an import/global ban for `runtime:std` sources
// derived from each project's own tags, so a new std library is covered without editing this file.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';

const FRAMEWORKS = ['react', 'react/*', 'react-dom', 'react-dom/*', 'solid-js', 'solid-js/*'];
const NODE_ONLY = ['ws', 'better-sqlite3', 'fastify', 'fastify/*', '@fastify/*', 'pino', '@signalapp/libsignal-client'];
const NODE_BUILTINS = ['node:*', 'fs', 'fs/*', 'path', 'os', 'crypto', 'http', 'https', 'net', 'tls', 'child_process', 'worker_threads', 'stream', 'buffer', 'url', 'util', 'events'];
const DOM_GLOBALS = ['window', 'document', 'navigator', 'localStorage', 'sessionStorage', 'indexedDB', 'location', 'HTMLElement', 'Element', 'Node'];

// The call engine's scope rules (see the block below that uses them).
const SCOPED_SUBSCRIBE = [
  { selector: "CallExpression[callee.property.name='subscribe']", message: 'Subscribe in a scope (scope.bind, scope.behavior): a bare subscription outlives its call.' },
];
const SCOPED_TIMERS = [
  { selector: "CallExpression[callee.name=/^(setTimeout|setInterval|schedule)$/]", message: 'Wait in a scope: scheduleIn(scope, clock, …), so the timer ends with its call.' },
  { selector: "CallExpression[callee.property.name=/^(setTimeout|setInterval)$/]", message: 'Wait in a scope: scheduleIn(scope, clock, …), so the timer ends with its call.' },
];

// Paths are relative to this file, whatever directory ESLint was started from.
const workspace = fileURLToPath(new URL('.', import.meta.url));

function projectsWithTag(tag) {
  const roots = [];
  for (const group of ['apps', 'libs', 'tools']) {
    if (!existsSync(`${workspace}${group}`)) continue;
    for (const name of readdirSync(`${workspace}${group}`)) {
      const file = `${workspace}${group}/${name}/project.json`;
      if (!existsSync(file)) continue;
      const project = JSON.parse(readFileSync(file, 'utf8'));
      if ((project.tags ?? []).includes(tag)) roots.push(`${group}/${name}`);
    }
  }
  return roots;
}

const stdRoots = projectsWithTag('runtime:std');

/** The architecture's tag rules; `allow` lists imports exempt from them. */
function moduleBoundaries(allow) {
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow,
      depConstraints: [
        { sourceTag: 'type:app', notDependOnLibsWithTags: ['type:app'] },
        { sourceTag: 'scope:shell', onlyDependOnLibsWithTags: ['scope:shell', 'scope:shared'] },
        { sourceTag: 'scope:chat', onlyDependOnLibsWithTags: ['scope:chat', 'scope:shared'] },
        { sourceTag: 'scope:call', onlyDependOnLibsWithTags: ['scope:call', 'scope:shared'] },
        { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:server', 'scope:shared'] },
        { sourceTag: 'scope:tools', onlyDependOnLibsWithTags: ['scope:tools', 'scope:shared', 'scope:server'] },
        { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:e2e', 'scope:shared', 'scope:server', 'scope:tools'] },
        {
          sourceTag: 'runtime:react',
          notDependOnLibsWithTags: ['runtime:solid'],
          bannedExternalImports: ['solid-js', 'solid-js/*'],
        },
        {
          sourceTag: 'runtime:solid',
          notDependOnLibsWithTags: ['runtime:react'],
          bannedExternalImports: ['react', 'react/*', 'react-dom', 'react-dom/*'],
        },
        {
          sourceTag: 'runtime:std',
          onlyDependOnLibsWithTags: ['runtime:std'],
          // Node-only packages are banned below for sources only: tests run in Node.
          bannedExternalImports: FRAMEWORKS,
        },
      ],
    },
  ];
}

export default tseslint.config(
  { ignores: ['**/dist/**', '**/dist-*/**', '**/node_modules/**', '.nx/**', 'data/**', '**/test-results/**', '**/playwright-report/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    plugins: { '@nx': nx },
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@nx/enforce-module-boundaries': moduleBoundaries([]),
    },
  },
  // Browser tests and the size report start the real server in their own process; the release CLI
  // drives the server's release registry on its data folder, and the deploy tool publishes with it.
  { files: ['e2e/**/*.ts', 'tools/size/**/*.ts', 'tools/release/**/*.ts', 'tools/deploy/**/*.ts'], rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['@parley/server', '@parley/server/testing']) } },
  // The bots' Janus test runs the real server in its own process, with the server's one helper for that.
  { files: ['tools/bots/**/*.ts'], rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['@parley/server/testing']) } },
  // The HTTPS browser test runs the deployment with the configuration the deploy tool renders.
  { files: ['e2e/**/*.ts'], rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['@parley/server', '@parley/server/testing', '@parley/deploy']) } },
  // Build configuration runs in Node at build time, not in the app: it may use the shared build
  // helpers under tools/, which are files rather than a project. So does the e2e build of the call
  // app's test pages, which must build them as the app's own configuration does, and the unit-test
  // configurations that resolve React as the build does (tools/mf-build/react-on-preact-vitest.mjs).
  { files: ['**/rsbuild.config.ts', 'e2e/fixtures/call-lab-build.ts', 'apps/shell/vitest.config.ts', 'apps/chat/vitest.config.ts', 'libs/bus-react/vitest.config.ts'], rules: { '@nx/enforce-module-boundaries': 'off' } },
  // Builds and release publishing precompress with the same code (brotli and gzip copies made once):
  // the server, and the release CLI through it, may import that one build helper file.
  { files: ['apps/server/src/**/*.ts'], rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['../../../../tools/mf-build/precompress.mjs']) } },
  // Every subscription and timer of the call engine lives in a scope (ObservableScope), so nothing a
  // finished call or a destroyed app started lives on: subscribe through scope.bind / scope.behavior,
  // wait through scheduleIn. Its tests and fakes may subscribe by hand.
  ...[
    { files: ['libs/call-engine/src/**/*.ts'], selectors: [...SCOPED_SUBSCRIBE, ...SCOPED_TIMERS] },
    { files: ['libs/call-engine/src/scoped-timer.ts'], selectors: SCOPED_SUBSCRIBE },
  ].map(({ files, selectors }) => ({
    files,
    ignores: ['libs/call-engine/src/**/*.test.ts', 'libs/call-engine/src/testing.ts'],
    rules: { 'no-restricted-syntax': ['error', ...selectors] },
  })),
  // The size report's tests check its reading of what those build helpers write (the copies, the module list,
  // the start-up preload hints) and how the shell's workspace libraries are grouped into chunks.
  {
    files: ['tools/size/src/**/*.test.ts'],
    rules: {
      '@nx/enforce-module-boundaries': moduleBoundaries([
        '../../mf-build/precompress.mjs',
        '../../mf-build/bundle-stats-plugin.mjs',
        '../../mf-build/startup-preload-plugin.mjs',
        '../../mf-build/workspace-chunks.mjs',
      ]),
    },
  },
  // The release's test of the remote entry that falls back to its full build (what a release ships).
  { files: ['tools/release/src/runtime-fallback.test.ts'], rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['../../mf-build/runtime-fallback.mjs']) } },
  // And of a slim remote's bundler runtime, with the check its build runs (what a release ships).
  {
    files: ['tools/release/src/remote-bundler-runtime.test.ts'],
    rules: { '@nx/enforce-module-boundaries': moduleBoundaries(['../../mf-build/federation-runtime.mjs', '../../mf-build/remote-bundler-runtime.mjs']) },
  },
  // The shell's signed-in screen must not wait for the protocol: a module that imports the messenger,
  // Signal or the relay client (values, not types) puts their shared chunks on the chat's path (issue 20:
  // the Shell's notifications reading `messenger()` held the chat's load back ~300 ms on a slow link).
  // Only the device session (src/session/) loads them; others take what it made as props.
  {
    files: ['apps/shell/src/**/*.ts', 'apps/shell/src/**/*.tsx'],
    ignores: ['apps/shell/src/session/**', 'apps/shell/src/**/*.test.ts', 'apps/shell/src/**/*.test.tsx', 'apps/shell/src/testing/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['@parley/messenger', '@parley/signal-protocol', '@parley/signaling'].map((name) => ({
            name,
            allowTypeImports: true,
            message: 'Only src/session/ loads the protocol; take what the device session made as a prop (issue 20).',
          })),
        },
      ],
    },
  },
  // runtime:std sources run in a page, a worker and Node: no framework, no Node built-in, no DOM.
  // Their tests run in Node and may use Node (a real WebSocket server, the libsignal oracle).
  ...stdRoots.map((root) => ({
    files: [`${root}/src/**/*.ts`],
    ignores: [`${root}/src/**/*.test.ts`, `${root}/src/testing/**`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: FRAMEWORKS, message: 'runtime:std libraries import no UI framework.' },
            { group: [...NODE_BUILTINS, ...NODE_ONLY], message: 'runtime:std libraries import no Node-only module.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', ...DOM_GLOBALS.map((name) => ({ name, message: 'runtime:std libraries touch no DOM.' }))],
    },
  })),
);
