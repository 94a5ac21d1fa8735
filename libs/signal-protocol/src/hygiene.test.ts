import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toHex } from '@parley/bytes';

// Library-wide rules that no linter here enforces: no logging (so no key material can be logged),
// no Math.random anywhere in shipped code (keys and nonces come from crypto.getRandomValues).

const here = dirname(fileURLToPath(import.meta.url));
const shipped = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .map((f) => [f, readFileSync(join(here, f), 'utf8')] as const);

describe('source hygiene', () => {
  it('ships no console or debugger calls', () => {
    expect(shipped.filter(([, s]) => /\bconsole\.|\bdebugger\b/.test(s)).map(([f]) => f)).toEqual([]);
  });

  it('never uses Math.random', () => {
    expect(shipped.filter(([, s]) => /Math\.random/.test(s)).map(([f]) => f)).toEqual([]);
  });

  it('objects that hold keys print redacted (String, JSON, inspect)', async () => {
    const { inspect } = await import('node:util');
    const { processPreKeyBundle } = await import('./session-cipher.js');
    const { TestDevice } = await import('./testing/devices.js');
    const alice = await TestDevice.create('alice');
    const bob = await TestDevice.create('bob');
    await processPreKeyBundle(alice.store, bob.address, await bob.bundle());
    const record = (await alice.store.loadSession(bob.address))!;
    const secret = toHex(record.current!.rootKey);
    for (const printed of [String(record), JSON.stringify({ record }), inspect(record, { depth: 10 }), inspect(record.current, { depth: 10 }), inspect(alice.identity, { depth: 10 })]) {
      expect(printed).not.toContain(secret);
      expect(printed).toContain('redacted');
    }
  });

  it('every exported symbol of the barrel resolves', async () => {
    const api = await import('./index.js');
    expect(Object.values(api).every((v) => v !== undefined)).toBe(true);
  });
});
