/** The environment variable that turns the hooks on for a build ('1'). */
export const TEST_HOOKS_ENV: 'PARLEY_TEST_HOOKS';

/** Whether `env` asks for a build with test hooks. */
export function testHooksEnabled(env?: Record<string, string | undefined>): boolean;

/** The rsbuild `source.define` entry of the flag, for every app alike. */
export function testHooksDefine(env?: Record<string, string | undefined>): { __PARLEY_TEST_HOOKS__: string };

/** Names that exist only for tests; a production build must contain none of them. */
export const TEST_HOOK_NAMES: readonly string[];

/** Every test hook name found in the JavaScript of a build folder; empty for a production build. */
export function findTestHooks(distDir: string): { file: string; name: string }[];
