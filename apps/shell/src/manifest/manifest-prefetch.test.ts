import { CONTRACT_VERSION } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { prefetchManifest, takePrefetchedManifest } from './manifest-prefetch.js';

describe('prefetchManifest', () => {
  it('asks for the manifest of this contract with the device token, without the HTTP cache', () => {
    const seen: { url: string; auth: string | null; cache: RequestCache | undefined }[] = [];
    prefetchManifest('token-a', CONTRACT_VERSION, async (input, init) => {
      seen.push({ url: String(input), auth: new Headers(init?.headers).get('authorization'), cache: init?.cache });
      return new Response('{}');
    });
    expect(seen).toEqual([{ url: `/api/manifest?contract=${CONTRACT_VERSION}`, auth: 'Bearer token-a', cache: 'no-store' }]);
    expect(takePrefetchedManifest('token-a')).toBeDefined();
  });

  it('hands the early request out once, and only for the token it carries', async () => {
    prefetchManifest('token-b', CONTRACT_VERSION, async () => new Response('early'));
    expect(takePrefetchedManifest('token-c')).toBeUndefined();
    const early = takePrefetchedManifest('token-b');
    await expect(early?.then((response) => response.text())).resolves.toBe('early');
    expect(takePrefetchedManifest('token-b')).toBeUndefined();
  });

  it('asks once while an early request for the token is under way (the entry and the shell both start it)', () => {
    let requests = 0;
    const count: typeof fetch = async () => {
      requests += 1;
      return new Response('{}');
    };
    prefetchManifest('token-d', CONTRACT_VERSION, count);
    prefetchManifest('token-d', CONTRACT_VERSION, count);
    expect(requests).toBe(1);
    takePrefetchedManifest('token-d');
    prefetchManifest('token-d', CONTRACT_VERSION, count);
    expect(requests).toBe(2);
  });
});
