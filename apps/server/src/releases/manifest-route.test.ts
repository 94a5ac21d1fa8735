import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACT_VERSION, EvaluatedManifestSchema, SignedManifestSchema } from '@parley/contracts';
import { inRollout, verifySignedManifest } from '@parley/rollout';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { MANIFEST_KEY_FILE_NAME, MANIFEST_PUBLIC_KEYS_FILE_NAME } from './manifest-keys.js';
import { TestAccounts, errorOf, registerAccount, tempFolder, testConfig } from '../testing/test-support.js';

const NOW = 1_750_000_000_000;
const CHAT_ORIGIN = 'http://localhost:4201';
const CALL_ORIGIN = 'http://localhost:4202';

/** A minimal build of a remote: an entry and the Module Federation manifest naming it. */
function fakeBuild(root: string, name: string, entry: string): string {
  const dir = join(root, `build-${name}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'remoteEntry.js'), entry);
  writeFileSync(join(dir, 'mf-manifest.json'), JSON.stringify({ metaData: { name } }));
  return dir;
}

describe('GET /api/manifest', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let api: string;
  const clock = new ManualClock(NOW);
  const accounts = new TestAccounts(() => api);

  beforeEach(async () => {
    folder = await tempFolder();
    clock.set(NOW);
    accounts.clear();
    server = createParleyServer(testConfig(folder.path, { clock, remoteOrigins: { chat: CHAT_ORIGIN, call: CALL_ORIGIN } }));
    ({ api } = await server.start());
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  const pinned = () => JSON.parse(readFileSync(join(folder.path, MANIFEST_PUBLIC_KEYS_FILE_NAME), 'utf8'));

  /** `GET /api/manifest` as `alice` unless another token (or none) is given. */
  const get = async (query: string, token?: string | null) => {
    const bearer = token === undefined ? await accounts.token('alice') : token;
    return fetch(`${api}/api/manifest${query}`, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
  };

  const manifestFor = async (handle: string, contract = CONTRACT_VERSION) => {
    const signed = SignedManifestSchema.parse(await (await get(`?contract=${contract}`, await accounts.token(handle))).json());
    return EvaluatedManifestSchema.parse(JSON.parse(signed.manifest));
  };

  const publishBoth = async () => {
    const chat = await server.registry.publish({ remote: 'chat', version: '1.0.0', distDir: fakeBuild(folder.path, 'chat', 'var chat;') });
    const call = await server.registry.publish({ remote: 'call', version: '0.3.1', distDir: fakeBuild(folder.path, 'call', 'var call;') });
    await server.registry.setDefault('chat', '1.0.0');
    await server.registry.setDefault('call', '0.3.1');
    return { chat: chat.release, call: call.release };
  };

  it('evaluates the registry for the signed-in user and contract version, signed over the exact bytes, uncacheable', async () => {
    const { chat, call } = await publishBoth();
    const response = await get('?contract=1.4.2');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const signed = SignedManifestSchema.parse(await response.json());
    const verified = await verifySignedManifest(signed, pinned());
    expect(verified).toMatchObject({ ok: true });
    expect(JSON.parse(signed.manifest)).toEqual({
      schemaVersion: 1,
      userId: (await accounts.of('alice')).userId,
      issuedAt: NOW,
      expiresAt: NOW + 5 * 60_000,
      contractVersion: '1.4.2',
      remotes: {
        chat: { entry: `${CHAT_ORIGIN}/releases/1.0.0/remoteEntry.js`, version: '1.0.0', integrity: chat.integrity },
        call: { entry: `${CALL_ORIGIN}/releases/0.3.1/remoteEntry.js`, version: '0.3.1', integrity: call.integrity },
      },
    });
  });

  it('keeps its signing keys in the data folder, private file mode 0600, and signs with the current one', async () => {
    const keyFile = join(folder.path, MANIFEST_KEY_FILE_NAME);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const keys = JSON.parse(readFileSync(keyFile, 'utf8'));
    expect(pinned().map((key: { keyId: string }) => key.keyId)).toEqual([keys.current.keyId, keys.next.keyId]);
    const signed = SignedManifestSchema.parse(await (await get(`?contract=${CONTRACT_VERSION}`)).json());
    expect(signed.signature?.keyId).toBe(keys.current.keyId);

    // A restart keeps the same keys: shells pinned them.
    await server.stop();
    server = createParleyServer(testConfig(folder.path, { clock }));
    ({ api } = await server.start());
    expect(JSON.parse(readFileSync(keyFile, 'utf8'))).toEqual(keys);
  });

  it('a manifest changed after signing, or checked against other keys, does not verify', async () => {
    await publishBoth();
    const signed = SignedManifestSchema.parse(await (await get(`?contract=${CONTRACT_VERSION}`)).json());
    const tampered = { ...signed, manifest: signed.manifest.replace('0.3.1', '0.3.2') };
    expect(await verifySignedManifest(tampered, pinned())).toMatchObject({ ok: false, code: 'bad-signature' });
    expect(await verifySignedManifest(signed, [{ keyId: 'other', publicKey: pinned()[0].publicKey }])).toMatchObject({ ok: false, code: 'unknown-key' });
  });

  it('takes the account\'s user id from the device token', async () => {
    const device = await registerAccount(api, 'manifest.user');
    const response = await get(`?contract=${CONTRACT_VERSION}`, device.token);
    expect(response.status).toBe(200);
    expect(JSON.parse(SignedManifestSchema.parse(await response.json()).manifest).userId).toBe(device.userId);
  });

  it('lists no remote before anything is published', async () => {
    expect((await manifestFor('alice')).remotes).toEqual({});
  });

  it('evaluates on every request, so a promotion or the kill switch reaches the next fetch', async () => {
    await publishBoth();
    await server.registry.publish({ remote: 'call', version: '0.4.0', distDir: fakeBuild(folder.path, 'call', 'var call4;') });
    expect((await manifestFor('alice')).remotes.call?.version).toBe('0.3.1');

    await server.registry.promoteUsers('call', '0.4.0', [(await accounts.of('alice')).userId]);
    expect((await manifestFor('alice')).remotes.call?.version).toBe('0.4.0');
    expect((await manifestFor('bob')).remotes.call?.version).toBe('0.3.1');

    await server.registry.kill('call');
    expect((await manifestFor('alice')).remotes.call).toBeUndefined();
    expect((await manifestFor('alice')).remotes.chat?.version).toBe('1.0.0');
    await server.registry.rollback('call');
    expect((await manifestFor('alice')).remotes.call?.version).toBe('0.4.0');
  });

  it('offers the beta release to users who opted in through PUT /api/settings/beta', async () => {
    await publishBoth();
    await server.registry.publish({ remote: 'call', version: '0.4.0', distDir: fakeBuild(folder.path, 'call', 'var beta;') });
    await server.registry.promoteBeta('call', '0.4.0');
    const alice = await accounts.token('alice');
    const beta = (enabled: boolean) =>
      fetch(`${api}/api/settings/beta`, { method: 'PUT', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, body: JSON.stringify({ enabled }) });

    expect((await manifestFor('alice')).remotes.call?.version).toBe('0.3.1');
    expect(await (await beta(true)).json()).toEqual({ enabled: true });
    expect(await (await fetch(`${api}/api/settings/beta`, { headers: { authorization: `Bearer ${alice}` } })).json()).toEqual({ enabled: true });
    expect((await manifestFor('alice')).remotes.call?.version).toBe('0.4.0');
    expect((await manifestFor('bob')).remotes.call?.version).toBe('0.3.1');
    await beta(false);
    expect((await manifestFor('alice')).remotes.call?.version).toBe('0.3.1');

    expect((await fetch(`${api}/api/settings/beta`, { method: 'PUT', body: '{"enabled":true}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect((await errorOf(await fetch(`${api}/api/settings/beta`, { method: 'PUT', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' }, body: '{"enabled":"yes"}' }))).code).toBe('invalid_request');
  });

  it('never offers a release the shell\'s contract version cannot host', async () => {
    await publishBoth();
    await server.registry.publish({ remote: 'call', version: '0.5.0', distDir: fakeBuild(folder.path, 'call', 'var c5;'), contracts: '^1.3.0' });
    await server.registry.setDefault('call', '0.5.0');
    expect((await manifestFor('alice', '1.4.0')).remotes.call?.version).toBe('0.5.0');
    expect((await manifestFor('alice', '1.4.0')).withheld).toBeUndefined();
    // An older shell is not offered 0.5.0, and nothing else is the default: no call for it, and the
    // manifest says why.
    const older = await manifestFor('alice', '1.2.0');
    expect(older.remotes.call).toBeUndefined();
    expect(older.withheld).toEqual({ call: { reason: 'contract', versions: ['0.5.0'] } });
    await server.registry.promotePercent('call', '0.3.1', 100);
    expect((await manifestFor('alice', '1.2.0')).remotes.call?.version).toBe('0.3.1');
    expect((await manifestFor('alice', '1.2.0')).withheld).toBeUndefined();
  });

  it('offers a release published without a range only to shells at least at this contract version', async () => {
    // Built here, so it may use bus events a shell of an older minor lacks (1.0.0 had fewer).
    await server.registry.publish({ remote: 'call', version: '0.6.0', distDir: fakeBuild(folder.path, 'call', 'var c6;') });
    await server.registry.setDefault('call', '0.6.0');
    expect((await manifestFor('alice')).remotes.call?.version).toBe('0.6.0');
    const [major, minor] = CONTRACT_VERSION.split('.').map(Number);
    expect((await manifestFor('alice', `${major}.${minor! + 1}.0`)).remotes.call?.version).toBe('0.6.0');
    expect((await manifestFor('alice', '1.0.0')).withheld).toEqual({ call: { reason: 'contract', versions: ['0.6.0'] } });
  });

  it('a 50% rollout over 1,000 accounts enables each as the library buckets it (about half), stickily, and widening evicts no one', async () => {
    await server.stop();
    server = createParleyServer(testConfig(folder.path, { clock, rateLimits: null, remoteOrigins: { chat: CHAT_ORIGIN, call: CALL_ORIGIN } }));
    ({ api } = await server.start());
    await server.registry.publish({ remote: 'call', version: '2.0.0', distDir: fakeBuild(folder.path, 'call', 'var v2;') });
    await server.registry.promotePercent('call', '2.0.0', 50);
    const handles = Array.from({ length: 1_000 }, (_, i) => `synthetic.${i}`);
    // Sixteen sign-ups at a time, as many clients would: the server checks key signatures in one lane.
    const users: Array<{ handle: string; userId: string }> = [];
    for (let i = 0; i < handles.length; i += 16) {
      users.push(...(await Promise.all(handles.slice(i, i + 16).map(async (handle) => ({ handle, userId: (await accounts.of(handle)).userId })))));
    }
    const enabled = async () => {
      const answers = await Promise.all(users.map(async (user) => [user.userId, (await manifestFor(user.handle)).remotes.call !== undefined] as const));
      return new Set(answers.filter(([, on]) => on).map(([userId]) => userId));
    };
    const half = await enabled();
    // The server's answer is the library's bucket (Unleash-compatible) for the rollout's group.
    for (const user of users) expect(half.has(user.userId)).toBe(inRollout('call-2.0.0', user.userId, 50));
    // User ids are random: 4.5 standard deviations around 500 (a false alarm about once in 150,000 runs).
    expect(half.size).toBeGreaterThanOrEqual(429);
    expect(half.size).toBeLessThanOrEqual(571);
    expect(await enabled()).toEqual(half);

    await server.registry.promotePercent('call', '2.0.0', 75);
    const wider = await enabled();
    for (const userId of half) expect(wider.has(userId)).toBe(true);
    expect(wider.size).toBeGreaterThan(half.size);
  }, 60_000);

  it.each([
    ['no Authorization header', null],
    ['a token that belongs to no device', 'secret-token'],
    ['a well-formed device token that is not registered', 'A'.repeat(43)],
    ['a `dev.<userId>` token (the removed development backdoor)', 'dev.alice'],
  ])('answers 401 for %s', async (_case, token) => {
    const response = await get(`?contract=${CONTRACT_VERSION}`, token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Bearer <device token>') } });
  });

  it('answers 401 for a scheme other than Bearer', async () => {
    const response = await fetch(`${api}/api/manifest?contract=${CONTRACT_VERSION}`, { headers: { authorization: 'Basic ZGV2LmFsaWNl' } });
    expect(response.status).toBe(401);
  });

  it('answers 400 contract_missing without a contract query', async () => {
    const response = await get('');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: { code: 'contract_missing', message: expect.stringContaining('"contract"') } });
  });

  it.each(['1.0', 'latest', '1.0.0.0', 'v1.0.0'])('answers 400 contract_invalid for contract=%s', async (version) => {
    const response = await get(`?contract=${encodeURIComponent(version)}`);
    expect(response.status).toBe(400);
    const error = await errorOf(response);
    expect(error.code).toBe('contract_invalid');
    expect(error.message).toContain(`"${version}"`);
  });

  it('answers 400 contract_invalid when contract is given twice', async () => {
    const response = await get('?contract=1.0.0&contract=1.1.0');
    expect(response.status).toBe(400);
    expect((await errorOf(response)).code).toBe('contract_invalid');
  });

  it.each(['2.0.0', '0.9.0'])('answers 409 contract_unsupported for another major (%s)', async (version) => {
    const response = await get(`?contract=${version}`);
    expect(response.status).toBe(409);
    const error = await errorOf(response);
    expect(error.code).toBe('contract_unsupported');
    expect(error.message).toContain(version);
  });

});
