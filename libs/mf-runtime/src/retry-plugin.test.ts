import { describe, expect, it } from 'vitest';
import { retryPlugin } from './retry-plugin.js';

type LoadEntryErrorArgs = Parameters<NonNullable<ReturnType<typeof retryPlugin>['loadEntryError']>>[0];

function args(getRemoteEntry: () => Promise<unknown>, globalLoading: Record<string, unknown> = {}): LoadEntryErrorArgs {
  return {
    getRemoteEntry: getRemoteEntry as LoadEntryErrorArgs['getRemoteEntry'],
    origin: {} as LoadEntryErrorArgs['origin'],
    remoteInfo: { name: 'call', entry: 'http://localhost:4202/releases/1.0.0/remoteEntry.js' } as LoadEntryErrorArgs['remoteInfo'],
    globalLoading: globalLoading as LoadEntryErrorArgs['globalLoading'],
    uniqueKey: 'call:entry',
  };
}

describe('retryPlugin', () => {
  it('loads the entry again with exponential backoff and returns it once it loads', async () => {
    const waits: number[] = [];
    const plugin = retryPlugin({ retries: 3, delayMs: 100, sleep: async (ms) => void waits.push(ms) });
    let calls = 0;
    const exports = { init() {}, get() {} };
    const loading = { 'call:entry': Promise.resolve() };
    const result = await plugin.loadEntryError?.(
      args(async () => {
        calls += 1;
        // The stale "loading" promise was forgotten before each retry.
        expect(loading['call:entry']).toBeUndefined();
        if (calls < 2) throw new Error('ScriptNetworkError');
        return exports;
      }, loading),
    );
    expect(result).toBe(exports);
    expect(waits).toEqual([100, 200]);
  });

  it('gives up after the configured retries and leaves the error to the fallback', async () => {
    const retried: number[] = [];
    const plugin = retryPlugin({ retries: 2, delayMs: 1, sleep: async () => {}, onRetry: ({ attempt }) => retried.push(attempt) });
    let calls = 0;
    const result = await plugin.loadEntryError?.(
      args(async () => {
        calls += 1;
        throw new Error('ScriptNetworkError');
      }),
    );
    expect(result).toBeUndefined();
    expect(calls).toBe(2);
    expect(retried).toEqual([1, 2]);
  });
});
