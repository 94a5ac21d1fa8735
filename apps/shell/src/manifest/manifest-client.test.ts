import { CONTRACT_VERSION, type EvaluatedManifest, type SignedManifest } from '@parley/contracts';
import { toBase64 } from '@parley/bytes';
import { createSignedManifest, generateManifestSigningKey } from '@parley/rollout/sign';
import { describe, expect, it } from 'vitest';
import { ManifestError, SAFE_DEFAULT_MAX_AGE_MS, checkManifest, fetchManifest, safeDefault } from './manifest-client.js';

const NOW = 1_700_000_000_000;
const current = generateManifestSigningKey('k-current');
const next = generateManifestSigningKey('k-next');
const stranger = generateManifestSigningKey('k-current');
const pinnedKeys = [current, next].map(({ keyId, publicKey }) => ({ keyId, publicKey: toBase64(publicKey) }));

const CHAT = { entry: 'http://localhost:4201/releases/0.1.0/remoteEntry.js', version: '0.1.0', integrity: 'sha384-abc' };
const CALL = { entry: 'http://localhost:4202/releases/0.2.0/remoteEntry.js', version: '0.2.0', integrity: 'sha384-def' };
const manifest: EvaluatedManifest = {
  schemaVersion: 1,
  userId: 'dev-aaaaaaaaaaaaaaaa',
  issuedAt: NOW - 1000,
  expiresAt: NOW + 60_000,
  contractVersion: CONTRACT_VERSION,
  remotes: { chat: CHAT, call: CALL },
};
const request = { token: 'device-token-aaaaaaaaaaaaaaaa', userId: manifest.userId, now: () => NOW, lastAcceptedIssuedAt: 0, pinnedKeys };
const signedBy = (key: typeof current, m: EvaluatedManifest = manifest): SignedManifest => createSignedManifest(m, key.privateKey, key.keyId);

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
  it('returns a manifest signed with a pinned key and sends the contract version and token', async () => {
    let seen: { url: string; auth: string | null } | null = null;
    const signed = signedBy(current);
    const fetchImpl: typeof fetch = async (input, init) => {
      seen = { url: String(input), auth: new Headers(init?.headers).get('authorization') };
      return new Response(JSON.stringify(signed));
    };
    await expect(fetchManifest({ ...request, fetchImpl })).resolves.toEqual({ manifest, signed });
    expect(seen).toEqual({ url: `/api/manifest?contract=${CONTRACT_VERSION}`, auth: `Bearer ${request.token}` });
  });

  it('accepts the pinned next key, so the server can rotate without a shell release', async () => {
    await expect(fetchManifest({ ...request, fetchImpl: serverAnswering(200, signedBy(next)) })).resolves.toMatchObject({ manifest });
  });

  it('refuses unsigned, wrongly signed, altered and unknown-key manifests before parsing them', async () => {
    const signed = signedBy(current);
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, { ...signed, signature: null }) }))).toBe('unsigned');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, signedBy(stranger)) }))).toBe('bad-signature');
    const altered = { ...signed, manifest: signed.manifest.replace('0.2.0', '0.2.1') };
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, altered) }))).toBe('bad-signature');
    const unknown = createSignedManifest(manifest, stranger.privateKey, 'k-other');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, unknown) }))).toBe('unknown-key');
    // Nothing pinned: nothing verifies.
    expect(await refusal(fetchManifest({ ...request, pinnedKeys: [], fetchImpl: serverAnswering(200, signed) }))).toBe('unknown-key');
  });

  it('turns every other failure into a typed refusal', async () => {
    expect(await refusal(fetchManifest({ ...request, fetchImpl: async () => Promise.reject(new TypeError('down')) }))).toBe('network');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(500, {}) }))).toBe('http');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, { nope: 1 }) }))).toBe('invalid');
    const expired = signedBy(current, { ...manifest, expiresAt: NOW });
    expect(await refusal(fetchManifest({ ...request, fetchImpl: serverAnswering(200, expired) }))).toBe('expired');
    expect(await refusal(fetchManifest({ ...request, lastAcceptedIssuedAt: NOW, fetchImpl: serverAnswering(200, signedBy(current)) }))).toBe('stale');
  });
});

describe('fetchManifest with a request started early', () => {
  const never: typeof fetch = async () => {
    throw new Error('a second request was made');
  };

  it('takes the early answer instead of asking again, and checks it like a fresh one', async () => {
    const signed = signedBy(current);
    const prefetched = serverAnswering(200, signed)('/api/manifest');
    await expect(fetchManifest({ ...request, fetchImpl: never, prefetched })).resolves.toEqual({ manifest, signed });
    const altered = { ...signed, manifest: signed.manifest.replace('0.2.0', '0.2.1') };
    expect(await refusal(fetchManifest({ ...request, fetchImpl: never, prefetched: serverAnswering(200, altered)('/api/manifest') }))).toBe('bad-signature');
    expect(await refusal(fetchManifest({ ...request, fetchImpl: never, prefetched: Promise.reject(new TypeError('down')) }))).toBe('network');
    const replayed = serverAnswering(200, signedBy(current))('/api/manifest');
    expect(await refusal(fetchManifest({ ...request, lastAcceptedIssuedAt: NOW, fetchImpl: never, prefetched: replayed }))).toBe('stale');
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

describe('safeDefault', () => {
  it('keeps only the chat of the last accepted manifest, even expired, if it still verifies for this user', async () => {
    const old = signedBy(current, { ...manifest, expiresAt: NOW - 1 });
    expect((await safeDefault(old, manifest.userId, pinnedKeys, NOW))?.remotes).toEqual({ chat: CHAT });
    expect(await safeDefault(old, 'someone-else', pinnedKeys, NOW)).toBeNull();
    expect(await safeDefault(signedBy(stranger), manifest.userId, pinnedKeys, NOW)).toBeNull();
    expect(await safeDefault(null, manifest.userId, pinnedKeys, NOW)).toBeNull();
    expect(await safeDefault(signedBy(current, { ...manifest, remotes: { call: CALL } }), manifest.userId, pinnedKeys, NOW)).toBeNull();
  });

  it('stops standing in once the last accepted manifest is older than a week: a pulled chat release does not run on forever', async () => {
    const lastAccepted = signedBy(current);
    const weekAfterIssue = manifest.issuedAt + SAFE_DEFAULT_MAX_AGE_MS;
    expect(SAFE_DEFAULT_MAX_AGE_MS).toBe(7 * 24 * 60 * 60 * 1000);
    expect((await safeDefault(lastAccepted, manifest.userId, pinnedKeys, weekAfterIssue))?.remotes).toEqual({ chat: CHAT });
    expect(await safeDefault(lastAccepted, manifest.userId, pinnedKeys, weekAfterIssue + 1)).toBeNull();
  });
});
