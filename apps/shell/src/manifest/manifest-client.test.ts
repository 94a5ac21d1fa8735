import { CONTRACT_VERSION, type EvaluatedManifest } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { ManifestError, checkManifest, fetchManifest } from './manifest-client.js';

const NOW = 1_700_000_000_000;
const manifest: EvaluatedManifest = {
  schemaVersion: 1,
  userId: 'dev-aaaaaaaaaaaaaaaa',
  issuedAt: NOW - 1000,
  expiresAt: NOW + 60_000,
  contractVersion: CONTRACT_VERSION,
  remotes: {},
};
const request = { token: 'dev.dev-aaaaaaaaaaaaaaaa', userId: manifest.userId, now: () => NOW, lastAcceptedIssuedAt: 0 };

function serverAnswering(status: number, body: unknown): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ManifestError) return error.code;
    throw error;
  }
  throw new Error('the manifest was accepted');
}

describe('fetchManifest', () => {
  it('returns the evaluated manifest and sends the contract version and token', async () => {
    let seen: { url: string; auth: string | null } | null = null;
    const fetchImpl: typeof fetch = async (input, init) => {
      seen = { url: String(input), auth: new Headers(init?.headers).get('authorization') };
      return new Response(JSON.stringify({ manifest: JSON.stringify(manifest), signature: null }));
    };
    await expect(fetchManifest({ ...request, fetchImpl })).resolves.toEqual(manifest);
    expect(seen).toEqual({ url: `/api/manifest?contract=${CONTRACT_VERSION}`, auth: `Bearer ${request.token}` });
  });

  it('turns every failure into a typed refusal', async () => {
    expect(await refusal(fetchManifest({ ...request, fetchImpl: async () => Promise.reject(new TypeError('down')) }))).toBe('network');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(500, {}) }))).toBe('http');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, { nope: 1 }) }))).toBe('invalid');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, { manifest: '{not json', signature: null }) }))).toBe('invalid');
    const wrongShape = JSON.stringify({ ...manifest, remotes: { call: { entry: 'ftp://x' } } });
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, { manifest: wrongShape, signature: null }) }))).toBe('invalid');
  });
});

describe('checkManifest', () => {
  it('refuses another user, an expired or replayed manifest and another contract major', () => {
    const code = (m: EvaluatedManifest, last = 0) => {
      try {
        checkManifest(m, { ...request, lastAcceptedIssuedAt: last });
        return 'accepted';
      } catch (error) {
        return (error as ManifestError).code;
      }
    };
    expect(code(manifest)).toBe('accepted');
    expect(code({ ...manifest, userId: 'dev-bbbbbbbbbbbbbbbb' })).toBe('wrong-user');
    expect(code({ ...manifest, expiresAt: NOW })).toBe('expired');
    expect(code(manifest, manifest.issuedAt + 1)).toBe('stale');
    expect(code({ ...manifest, contractVersion: '2.0.0' })).toBe('contract');
  });
});
