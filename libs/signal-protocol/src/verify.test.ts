import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every local module `entry` reaches through static imports (type-only imports excluded). */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(join(here, file), 'utf8');
    for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^'"]*?from\s+'(\.\/[^']+)\.js'/gm)) {
      visit(`${match[1]!.slice(2)}.ts`);
    }
  };
  visit(entry);
  return seen;
}

describe('verify-only entry point', () => {
  it('reaches no private-key code (signing, agreement, KEM secrets, prekey generation, sessions)', () => {
    const graph = importGraph('verify.ts');
    expect([...graph].sort()).toEqual(['bundle.ts', 'curve25519.ts', 'errors.ts', 'public-keys.ts', 'verify.ts', 'xeddsa-verify.ts']);
  });

  it('exports the server checks', async () => {
    const verify = await import('./verify.js');
    expect(Object.keys(verify).sort()).toEqual(
      [
        'EC_KEY_TYPE',
        'EcPublicKey',
        'KYBER1024_KEY_TYPE',
        'KemPublicKey',
        'SIGNATURE_LENGTH',
        'SignalProtocolError',
        'isSignalProtocolError',
        'parsePreKeyBundle',
        'serializePreKeyBundle',
        'verifyPreKeyBundle',
        'verifySignature',
        'verifySignatureAsync',
        'verifySignedPublicPreKey',
        'verifyUploadedPreKeySignature',
      ].sort(),
    );
  });
});
