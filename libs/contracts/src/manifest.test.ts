import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { EvaluatedManifestSchema, ManifestShapeError, REMOTE_NAMES, SignedManifestSchema, isManifestContractVersion } from './manifest.js';

// The oracle: the zod schemas the manifest had before its checks were written by hand (issue 20).
// The hand checks must accept exactly what these accept, and return what they return.
const semver = z.string().regex(/^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
const release = z.object({
  entry: z.url({ protocol: /^https?$/ }),
  version: semver,
  integrity: z.string().regex(/^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$/),
});
const withheld = z.object({ reason: z.literal('contract'), versions: z.array(semver).min(1).max(16) });
const oracleManifest = z.object({
  schemaVersion: z.literal(1),
  userId: z.string().min(1).max(128),
  issuedAt: z.number().int().nonnegative(),
  expiresAt: z.number().int().nonnegative(),
  contractVersion: semver,
  remotes: z.partialRecord(z.enum(REMOTE_NAMES), release),
  withheld: z.partialRecord(z.enum(REMOTE_NAMES), withheld).optional(),
});
const signature = z.object({ alg: z.literal('Ed25519'), keyId: z.string().min(1).max(64), value: z.string().min(1).max(200) });
const oracleSigned = z.object({ manifest: z.string().min(2).max(65_536), signature: signature.nullable() });

const chat = { entry: 'https://parley.example/releases/chat/1.4.0/remoteEntry.js', version: '1.4.0', integrity: 'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC' };
const valid = {
  schemaVersion: 1,
  userId: 'alice',
  issuedAt: 1_767_225_600_000,
  expiresAt: 1_767_225_900_000,
  contractVersion: '1.1.0',
  remotes: { chat, call: { ...chat, entry: 'http://127.0.0.1:4202/remoteEntry.js', version: '2.0.0-beta.1' } },
  withheld: { call: { reason: 'contract', versions: ['3.0.0'] } },
};

const odd = [undefined, null, true, 0, -1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Infinity, '', 'x', 'x'.repeat(129), [], {}, ['1.0.0']];
const fieldValues: Record<string, unknown[]> = {
  schemaVersion: [...odd, 1, 2, '1'],
  userId: [...odd, 'a', 'x'.repeat(128)],
  issuedAt: [...odd, 0, Number.MAX_SAFE_INTEGER],
  expiresAt: [...odd, 0],
  contractVersion: [...odd, '1.0', '1.0.0', '01.2.3', '1.2.3-', '1.2.3-rc.1', ' 1.2.3', '1.2.3\n'],
  remotes: [...odd, { mail: chat }, { chat: undefined }, { chat: null }, { chat: { ...chat, extra: 1 } }, { chat: { ...chat, entry: 'javascript:alert(1)' } }, { chat: { ...chat, entry: '/relative.js' } }, { chat: { ...chat, entry: 'ftp://x/e.js' } }, { chat: { ...chat, entry: 'https://' } }, { chat: { ...chat, entry: 'HTTPS://PARLEY.EXAMPLE/e.js' } }, { chat: { ...chat, integrity: 'md5-abc' } }, { chat: { ...chat, integrity: 'sha384-' } }, { chat: { ...chat, version: 'latest' } }, { chat: { entry: chat.entry, version: chat.version } }],
  withheld: [...odd, { call: { reason: 'other', versions: ['1.0.0'] } }, { call: { reason: 'contract', versions: [] } }, { call: { reason: 'contract', versions: Array(17).fill('1.0.0') } }, { call: { reason: 'contract', versions: Array(16).fill('1.0.0') } }, { call: { reason: 'contract', versions: ['x'] } }, { mail: { reason: 'contract', versions: ['1.0.0'] } }, { chat: undefined }],
  extra: [...odd, 'anything'],
};

function variants(): unknown[] {
  const cases: unknown[] = [valid, odd, ...odd];
  for (const [field, values] of Object.entries(fieldValues)) {
    for (const value of values) cases.push({ ...valid, [field]: value });
    const without: Record<string, unknown> = { ...valid };
    delete without[field];
    cases.push(without);
  }
  return cases;
}

describe('the manifest checks, held against zod', () => {
  it('accept and return exactly what the zod schema does (unknown fields dropped)', () => {
    let accepted = 0;
    for (const input of variants()) {
      const expected = oracleManifest.safeParse(input);
      const actual = EvaluatedManifestSchema.safeParse(input);
      expect(actual.success, JSON.stringify(input) ?? String(input)).toBe(expected.success);
      if (expected.success && actual.success) {
        expect(actual.data).toEqual(expected.data);
        accepted += 1;
      }
    }
    // The cases are not all refusals.
    expect(accepted).toBeGreaterThan(10);
  });

  it('check the signed envelope as zod did', () => {
    const sig = { alg: 'Ed25519', keyId: 'k', value: 'AAAA' };
    const manifest = JSON.stringify(valid);
    const envelopes = [
      { manifest, signature: sig },
      { manifest, signature: null },
      { manifest, signature: { ...sig, extra: 1 } },
      { manifest, extra: 1, signature: sig },
      { manifest },
      { manifest, signature: undefined },
      { manifest, signature: { ...sig, alg: 'RS256' } },
      { manifest, signature: { ...sig, keyId: '' } },
      { manifest, signature: { ...sig, keyId: 'k'.repeat(65) } },
      { manifest, signature: { ...sig, value: 'v'.repeat(201) } },
      { manifest: 'x', signature: sig },
      { manifest: 'x'.repeat(65_537), signature: sig },
      { manifest: 7, signature: sig },
      ...odd,
    ];
    for (const envelope of envelopes) {
      const expected = oracleSigned.safeParse(envelope);
      const actual = SignedManifestSchema.safeParse(envelope);
      expect(actual.success, JSON.stringify(envelope)?.slice(0, 80)).toBe(expected.success);
      if (expected.success && actual.success) expect(actual.data).toEqual(expected.data);
    }
  });

  it('say where the problem is, and parse throws it', () => {
    const refused = EvaluatedManifestSchema.safeParse({ ...valid, remotes: { chat: { ...chat, entry: 'javascript:alert(1)' } } });
    expect(refused).toEqual({ success: false, problem: 'remotes.chat.entry: expected an http or https URL' });
    expect(() => EvaluatedManifestSchema.parse({ ...valid, userId: '' })).toThrow(new ManifestShapeError('userId: expected 1–128 characters'));
    expect(isManifestContractVersion('1.2.3')).toBe(true);
    expect(isManifestContractVersion('1.2')).toBe(false);
    expect(isManifestContractVersion(123)).toBe(false);
  });
});
