import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { contractSchemaModules, workspaceLibraryChunks } from '../../mf-build/workspace-chunks.mjs';

const contracts = fileURLToPath(new URL('../../../libs/contracts/src/', import.meta.url));
const modules = readdirSync(contracts).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));

describe("the shell's workspace-library chunks", () => {
  const groups = workspaceLibraryChunks();

  it('put every contracts module in exactly one of them: the schema builders apart', () => {
    for (const name of modules) {
      const path = `/repo/libs/contracts/src/${name}`;
      const buildsSchemas = readFileSync(`${contracts}${name}`, 'utf8').includes("from 'zod");
      expect([groups['parley-common'].test(path), groups['parley-schemas'].test(path)], name).toEqual([!buildsSchemas, buildsSchemas]);
    }
    // What the first paint imports stays with it; the wire schemas do not.
    expect(contractSchemaModules()).toEqual(expect.arrayContaining(['call-signals.ts', 'content.ts', 'settings-api.ts']));
    expect(contractSchemaModules()).not.toEqual(expect.arrayContaining(['manifest.ts']));
  });

  it('keep the other small libraries in the common chunk, and nothing else', () => {
    for (const path of ['/r/libs/bytes/src/base64.ts', '/r/libs/clock/src/clock.ts', '/r/libs/call-links/src/link-secret.ts']) expect(groups['parley-common'].test(path), path).toBe(true);
    for (const path of ['/r/libs/messenger/src/index.ts', '/r/libs/event-bus/src/event-bus.ts', '/r/node_modules/zod/v4/core/core.js']) {
      expect(groups['parley-common'].test(path), path).toBe(false);
      expect(groups['parley-schemas'].test(path), path).toBe(false);
    }
  });
});
