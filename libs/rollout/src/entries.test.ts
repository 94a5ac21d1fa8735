import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as rollout from './index.js';
import * as signing from './sign.js';

/** Every source file `entry` imports, transitively (relative imports only). */
function localImports(entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  const source = readFileSync(new URL(entry, import.meta.url), 'utf8');
  for (const match of source.matchAll(/from '(\.\/[^']+)\.js'/g)) localImports(`${match[1]}.ts`, seen);
  return seen;
}

describe('package entries', () => {
  it('exports the main entry as ".", signing as "./sign" and the seeded test inputs as "./testing"', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, string> };
    expect(manifest.exports).toEqual({ '.': './src/index.ts', './sign': './src/sign.ts', './testing': './src/testing/seeded-ids.ts' });
    expect(localImports('./index.ts')).not.toContain('./testing/seeded-ids.ts');
    for (const file of Object.values(manifest.exports)) expect(existsSync(new URL(`.${file}`, import.meta.url))).toBe(true);
  });

  it('the main entry verifies but cannot sign, so shell bundles carry no signing code', () => {
    expect(typeof rollout.verifySignedManifest).toBe('function');
    expect(typeof rollout.evaluateRemote).toBe('function');
    expect(Object.keys(rollout)).not.toContain('signManifest');
    const reachable = localImports('./index.ts');
    expect(reachable).toContain('./signature.ts');
    expect(reachable).not.toContain('./sign.ts');
    expect(typeof signing.signManifest).toBe('function');
  });
});
