import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CONTRACT_VERSION, EvaluatedManifestSchema, SignedManifestSchema } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from './create-server.js';
import { MANIFEST_FILE_NAME } from './manifest-route.js';
import { TestIdentity } from './test-keys.js';
import { ManualClock, TestApi, errorOf, tempFolder, testConfig } from './test-support.js';

const NOW = 1_750_000_000_000;
const CHAT = {
  entry: 'http://localhost:4201/remoteEntry.js',
  version: '1.0.0',
  integrity: 'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC',
};
const CALL = { ...CHAT, entry: 'http://localhost:4202/remoteEntry.js', version: '0.3.1' };

describe('GET /api/manifest', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let api: string;
  const clock = new ManualClock(NOW);

  beforeEach(async () => {
    folder = await tempFolder();
    clock.time = NOW;
    // Development tokens keep these cases short; real tokens are covered below.
    server = createParleyServer(testConfig(folder.path, { clock, allowDevTokens: true }));
    ({ api } = await server.start());
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  const writeManifestFile = (content: unknown) =>
    writeFile(join(folder.path, MANIFEST_FILE_NAME), typeof content === 'string' ? content : JSON.stringify(content));

  const get = (query: string, token: string | null = 'dev.alice') =>
    fetch(`${api}/api/manifest${query}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });

  it('evaluates the file for the signed-in user and the shell contract version, unsigned, uncacheable', async () => {
    await writeManifestFile({ remotes: { chat: CHAT, call: CALL } });
    const response = await get('?contract=1.4.2');

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const signed = SignedManifestSchema.parse(await response.json());
    expect(signed.signature).toBeNull();
    const manifest = EvaluatedManifestSchema.parse(JSON.parse(signed.manifest));
    expect(manifest).toEqual({
      schemaVersion: 1,
      userId: 'alice',
      issuedAt: NOW,
      expiresAt: NOW + 5 * 60_000,
      contractVersion: '1.4.2',
      remotes: { chat: CHAT, call: CALL },
    });
  });

  it('takes the user id from the token', async () => {
    const body = SignedManifestSchema.parse(await (await get(`?contract=${CONTRACT_VERSION}`, 'dev.Bob_42')).json());
    expect(JSON.parse(body.manifest).userId).toBe('Bob_42');
  });

  it('takes the account\'s user id from a real device token', async () => {
    const device = await new TestApi(api).register(new TestIdentity().account('manifest.user'));
    const response = await get(`?contract=${CONTRACT_VERSION}`, device.token);
    expect(response.status).toBe(200);
    expect(JSON.parse(SignedManifestSchema.parse(await response.json()).manifest).userId).toBe(device.userId);
  });

  it('lists no remote when there is no manifest file yet', async () => {
    const body = SignedManifestSchema.parse(await (await get('?contract=1.0.0')).json());
    expect(JSON.parse(body.manifest).remotes).toEqual({});
  });

  it('reads the file again on every request, so an edit takes effect without a restart', async () => {
    await writeManifestFile({ remotes: { chat: CHAT } });
    const before = JSON.parse(SignedManifestSchema.parse(await (await get('?contract=1.0.0')).json()).manifest);
    await writeManifestFile({ remotes: { chat: CHAT, call: CALL } });
    clock.time = NOW + 1_000;
    const after = JSON.parse(SignedManifestSchema.parse(await (await get('?contract=1.0.0')).json()).manifest);

    expect(Object.keys(before.remotes)).toEqual(['chat']);
    expect(after.remotes.call).toEqual(CALL);
    expect(after.issuedAt).toBe(NOW + 1_000);
  });

  it.each([
    ['no Authorization header', null],
    ['a token that belongs to no device', 'secret-token'],
    ['a well-formed device token that is not registered', 'A'.repeat(43)],
    ['a user id that is too short', 'dev.ab'],
    ['a user id with forbidden characters', 'dev.al!ce'],
  ])('answers 401 for %s', async (_case, token) => {
    const response = await get('?contract=1.0.0', token);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(await response.json()).toEqual({ error: { code: 'unauthorized', message: expect.stringContaining('Bearer <device token>') } });
  });

  it('refuses development tokens when the server does not allow them', async () => {
    await server.stop();
    server = createParleyServer(testConfig(folder.path, { clock }));
    ({ api } = await server.start());
    expect((await get('?contract=1.0.0', 'dev.alice')).status).toBe(401);
  });

  it('answers 401 for a scheme other than Bearer', async () => {
    const response = await fetch(`${api}/api/manifest?contract=1.0.0`, { headers: { authorization: 'Basic ZGV2LmFsaWNl' } });
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

  it.each([
    ['not JSON', '{"remotes": {'],
    ['a remote with a bad integrity', { remotes: { chat: { ...CHAT, integrity: 'md5-abc' } } }],
    ['an unknown remote', { remotes: { video: CHAT } }],
    ['no remotes object', { chat: CHAT }],
  ])('answers 500 manifest_invalid when the file has %s', async (_case, content) => {
    await writeManifestFile(content);
    const response = await get('?contract=1.0.0');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { code: 'manifest_invalid', message: expect.stringContaining('server log') } });
  });
});
