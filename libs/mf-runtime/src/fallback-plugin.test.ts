import { describe, expect, it } from 'vitest';
import { fallbackPlugin } from './fallback-plugin.js';
import { isRemoteUnavailable } from './remote-unavailable.js';

describe('fallbackPlugin', () => {
  it('turns a failed remote load into a RemoteUnavailable marker and reports it', async () => {
    const seen: unknown[] = [];
    const plugin = fallbackPlugin((info) => seen.push(info));
    const result = await plugin.errorLoadRemote?.({
      id: 'call/App',
      error: new Error('ScriptExternalLoadError: http://127.0.0.1:1/remoteEntry.js'),
      lifecycle: 'onLoad',
      from: 'runtime',
      origin: {} as never,
    });
    expect(isRemoteUnavailable(result)).toBe(true);
    expect(result).toMatchObject({ remote: 'call', stage: 'onLoad' });
    expect((result as { reason: string }).reason).toContain('ScriptExternalLoadError');
    expect(seen).toEqual([result]);
  });

  it('does not mistake a real module for the marker', () => {
    expect(isRemoteUnavailable({ app: {}, version: '1.0.0' })).toBe(false);
    expect(isRemoteUnavailable(null)).toBe(false);
  });
});
