// How the shell groups the small workspace libraries into chunks (apps/shell/rsbuild.config.ts).
import { readFileSync, readdirSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';

const contractsSource = fileURLToPath(new URL('../../libs/contracts/src/', import.meta.url));

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The contracts modules that build zod schemas when they run (they import zod), by file name. */
export function contractSchemaModules(folder = contractsSource) {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .filter((name) => /from ['"]zod(?:\/[\w-]+)?['"]/.test(readFileSync(`${folder}${name}`, 'utf8')))
    .sort();
}

/**
 * rsbuild `forceSplitting` groups for the workspace libraries every part uses: without them, each
 * shared singleton's chunk (messenger, signaling, event bus) carried its own copy (issue 20).
 * - `parley-common`: bytes, clock, call-links and the contracts that build no schema (constants,
 *   bus events, error codes, the hand-checked manifest): the first paint needs these.
 * - `parley-schemas`: the contracts that build zod schemas, fetched with the first chunk that uses
 *   them (the device session, onboarding's checks), not before the conversation list.
 */
export function workspaceLibraryChunks(schemaModules = contractSchemaModules()) {
  const schemas = `(?:${schemaModules.map(escape).join('|')})`;
  return {
    'parley-common': new RegExp(`[\\\\/]libs[\\\\/](?:(?:bytes|clock|call-links)[\\\\/]src[\\\\/]|contracts[\\\\/]src[\\\\/](?!${schemas}$))`),
    'parley-schemas': new RegExp(`[\\\\/]libs[\\\\/]contracts[\\\\/]src[\\\\/]${schemas}$`),
  };
}
