import type { ModuleFederation } from '@module-federation/enhanced/runtime';
import { describe, expect, it } from 'vitest';
import { startRemoteEarly, takeEarlyRemote } from './remote-loader.js';

const RELEASE = { entry: 'https://chat.example/releases/1.2.0/remoteEntry.js', version: '1.2.0', integrity: 'sha384-abc' };
const MODULE = { app: { render: () => {}, destroy: () => {} }, probe: () => ({}), version: '1.2.0' };

/** A federation runtime that records what it was asked to register and load. */
function fakeFederation() {
  const calls: string[] = [];
  const federation = {
    registerRemotes: (remotes: { name: string; entry: string }[]) => calls.push(...remotes.map((r) => `register ${r.name} ${r.entry}`)),
    loadRemote: async (id: string) => {
      calls.push(`load ${id}`);
      return MODULE;
    },
  } as unknown as ModuleFederation;
  return { federation, calls };
}

describe('startRemoteEarly', () => {
  it('registers and loads the release now; its slot takes that load once, for the same entry only', async () => {
    const { federation, calls } = fakeFederation();
    startRemoteEarly(federation, 'chat', RELEASE);
    expect(calls).toEqual([`register chat ${RELEASE.entry}`, 'load chat/App']);
    expect(takeEarlyRemote('chat', 'https://chat.example/releases/1.3.0/remoteEntry.js')).toBeUndefined();
    await expect(takeEarlyRemote('chat', RELEASE.entry)).resolves.toEqual({ ok: true, module: MODULE });
    expect(takeEarlyRemote('chat', RELEASE.entry)).toBeUndefined();
    expect(calls).toHaveLength(2);
  });
});
