import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FAIL_CLOSED_INTEGRITY, integrityPlugin } from './integrity-plugin.js';

type CreateScriptArgs = Parameters<NonNullable<ReturnType<typeof integrityPlugin>['createScript']>>[0];

const entry = 'http://127.0.0.1:4202/remoteEntry.js';
const remoteInfo = { name: 'call', entry } as CreateScriptArgs['remoteInfo'];

function attrsFor(plugin: ReturnType<typeof integrityPlugin>, args: Partial<CreateScriptArgs>): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  plugin.createScript?.({ url: entry, attrs, ...args } as CreateScriptArgs);
  return attrs;
}

describe('integrityPlugin', () => {
  it('puts the manifest integrity and anonymous CORS on a remote entry', () => {
    const plugin = integrityPlugin((name) => (name === 'call' ? 'sha384-abc' : undefined));
    expect(attrsFor(plugin, { remoteInfo })).toEqual({ integrity: 'sha384-abc', crossorigin: 'anonymous' });
  });

  it('fails closed with a well-formed hash no entry can match when the manifest has none', () => {
    const plugin = integrityPlugin(() => undefined);
    expect(attrsFor(plugin, { remoteInfo }).integrity).toBe(FAIL_CLOSED_INTEGRITY);
    expect(FAIL_CLOSED_INTEGRITY).toBe(`sha384-${createHash('sha384').update(Buffer.alloc(0)).digest('base64')}`);
  });

  it('leaves scripts that are not remote entries alone', () => {
    const plugin = integrityPlugin(() => 'sha384-abc');
    expect(attrsFor(plugin, {})).toEqual({});
  });
});
