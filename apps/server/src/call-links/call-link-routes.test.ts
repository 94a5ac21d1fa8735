import { CALL_LINK_EXPIRY_MS, CallLinkListSchema, CallLinkSchema } from '@parley/contracts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, type TestDevice, tempFolder, testConfig } from '../testing/test-support.js';
import { CallLinkDirectory } from './call-link-directory.js';
import { CALL_LINK_VERIFIER_HEADER } from './call-link-routes.js';
import { type TestCallLink, createBody, testCallLink } from './test-links.js';

describe('call link routes', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let http: TestApi;
  let alice: TestDevice;
  let bob: TestDevice;
  const clock = new ManualClock(1_700_000_000_000);

  /** GET /api/call-links/:roomId as a link holder (no token: a guest-to-be). */
  const open = async (link: Pick<TestCallLink, 'roomId' | 'verifier'>, token?: string) => {
    const response = await fetch(`${http.base}/api/call-links/${link.roomId}`, {
      headers: { [CALL_LINK_VERIFIER_HEADER]: link.verifier, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string } } & Record<string, unknown> };
  };
  const create = (link: TestCallLink, token = alice.token, approval = false) => http.request('POST', '/api/call-links', { token, body: createBody(link, approval) });

  beforeEach(async () => {
    clock.set(1_700_000_000_000);
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { clock }));
    http = new TestApi((await server.start()).api);
    alice = await http.register(new TestIdentity().account('links.alice'));
    bob = await http.register(new TestIdentity().account('links.bob'));
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('creates a link and lets anyone holding it read it, with or without a token', async () => {
    const link = testCallLink();
    const created = await create(link, alice.token, true);
    expect(created.status).toBe(201);
    expect(CallLinkSchema.parse(created.body)).toEqual({
      roomId: link.roomId,
      encryptedName: link.encryptedName,
      approval: true,
      creator: { userId: alice.userId, displayName: 'Name of links.alice' },
      createdAt: clock.now(),
      lastUsedAt: clock.now(),
      expiresAt: clock.now() + CALL_LINK_EXPIRY_MS,
    });
    expect(await open(link)).toEqual({ status: 200, body: created.body });
    expect((await open(link, bob.token)).body).toEqual(created.body);
  });

  it('refuses bad input: malformed bodies 400, a room id in use 409, no token 401', async () => {
    const link = testCallLink();
    expect((await http.request('POST', '/api/call-links', { token: alice.token, body: { ...createBody(link), roomId: 'short' } })).body.error.code).toBe('invalid_request');
    expect((await http.request('POST', '/api/call-links', { token: alice.token, body: { ...createBody(link), encryptedName: 'not base64!' } })).status).toBe(400);
    expect((await http.request('POST', '/api/call-links', { token: alice.token, body: { roomId: link.roomId, verifier: link.verifier } })).status).toBe(400);
    expect((await http.request('POST', '/api/call-links', { body: createBody(link) })).status).toBe(401);
    expect((await create(link)).status).toBe(201);
    const again = await create(link, bob.token);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('link_exists');
  });

  it('answers 404 link_not_found for a wrong verifier, an unknown or malformed room id, and 400 without the header', async () => {
    const link = testCallLink();
    await create(link);
    const other = testCallLink();
    expect(await open({ roomId: link.roomId, verifier: other.verifier })).toMatchObject({ status: 404, body: { error: { code: 'link_not_found' } } });
    expect(await open({ roomId: link.roomId, verifier: 'x' })).toMatchObject({ status: 404, body: { error: { code: 'link_not_found' } } });
    expect(await open(other)).toMatchObject({ status: 404, body: { error: { code: 'link_not_found' } } });
    expect(await open({ roomId: 'not-a-room-id', verifier: link.verifier })).toMatchObject({ status: 404, body: { error: { code: 'link_not_found' } } });
    const noHeader = await http.request('GET', `/api/call-links/${link.roomId}`);
    expect(noHeader.status).toBe(400);
  });

  it('lists the caller\'s own live links, newest first', async () => {
    const [first, second, revoked] = [testCallLink(), testCallLink(), testCallLink()];
    await create(first);
    clock.advance(1_000);
    await create(second);
    await create(revoked);
    await create(testCallLink(), bob.token);
    await http.request('DELETE', `/api/call-links/${revoked.roomId}`, { token: alice.token });
    const { status, body } = await http.request('GET', '/api/call-links', { token: alice.token });
    expect(status).toBe(200);
    expect(CallLinkListSchema.parse(body).links.map((l) => l.roomId)).toEqual([second.roomId, first.roomId]);
  });

  it('lets only the creator change, reset and revoke a link (403 not_link_admin)', async () => {
    const link = testCallLink();
    await create(link);
    const patch = await http.request('PATCH', `/api/call-links/${link.roomId}`, { token: bob.token, body: { approval: true } });
    expect(patch).toMatchObject({ status: 403, body: { error: { code: 'not_link_admin' } } });
    expect((await http.request('DELETE', `/api/call-links/${link.roomId}`, { token: bob.token })).body.error.code).toBe('not_link_admin');
    const reset = await http.request('POST', `/api/call-links/${link.roomId}/reset`, { token: bob.token, body: { roomId: testCallLink().roomId, verifier: link.verifier } });
    expect(reset.status).toBe(403);

    const changed = await http.request('PATCH', `/api/call-links/${link.roomId}`, { token: alice.token, body: { approval: true, encryptedName: null } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ approval: true, encryptedName: null });
    expect((await http.request('PATCH', `/api/call-links/${link.roomId}`, { token: alice.token, body: { approval: 'yes' } })).status).toBe(400);
    expect((await http.request('PATCH', `/api/call-links/${testCallLink().roomId}`, { token: alice.token, body: {} })).status).toBe(404);
  });

  it('revokes: the link answers 410 link_revoked, also to its creator', async () => {
    const link = testCallLink();
    await create(link);
    expect((await http.request('DELETE', `/api/call-links/${link.roomId}`, { token: alice.token })).status).toBe(204);
    expect(await open(link)).toMatchObject({ status: 410, body: { error: { code: 'link_revoked' } } });
    expect((await http.request('DELETE', `/api/call-links/${link.roomId}`, { token: alice.token })).status).toBe(410);
    expect((await http.request('PATCH', `/api/call-links/${link.roomId}`, { token: alice.token, body: { approval: true } })).status).toBe(410);
    // The room id stays taken: a new link cannot reuse it.
    expect((await create(link)).status).toBe(409);
    // A wrong verifier still learns nothing about the revocation.
    expect((await open({ roomId: link.roomId, verifier: testCallLink().verifier })).status).toBe(404);
  });

  it('resets to a new secret: the old room id is revoked, the new one works with the same settings', async () => {
    const link = testCallLink();
    await create(link, alice.token, true);
    const next = testCallLink();
    const reset = await http.request('POST', `/api/call-links/${link.roomId}/reset`, {
      token: alice.token,
      body: { roomId: next.roomId, verifier: next.verifier, encryptedName: next.encryptedName },
    });
    expect(reset.status).toBe(201);
    expect(reset.body).toMatchObject({ roomId: next.roomId, approval: true, encryptedName: next.encryptedName, creator: { userId: alice.userId } });
    expect(await open(link)).toMatchObject({ status: 410, body: { error: { code: 'link_revoked' } } });
    expect((await open(next)).status).toBe(200);
    // The new secret's verifier, not the old one's, opens it.
    expect((await open({ roomId: next.roomId, verifier: link.verifier })).status).toBe(404);
    // Resetting onto a room id in use is refused.
    const clash = await http.request('POST', `/api/call-links/${next.roomId}/reset`, { token: alice.token, body: { roomId: next.roomId, verifier: next.verifier } });
    expect(clash).toMatchObject({ status: 409, body: { error: { code: 'link_exists' } } });
  });

  it('expires a link unused for 90 days (the clock), then the sweep forgets it', async () => {
    const link = testCallLink();
    await create(link);
    clock.advance(CALL_LINK_EXPIRY_MS - 1);
    expect((await open(link)).status).toBe(200);
    clock.advance(1);
    expect(await open(link)).toMatchObject({ status: 410, body: { error: { code: 'link_expired' } } });
    expect((await http.request('GET', '/api/call-links', { token: alice.token })).body.links).toEqual([]);

    const directory = new CallLinkDirectory({ storage: server.storage, clock, log: pino({ level: 'silent' }) });
    await directory.sweep();
    // Expired: its name is gone at once; it keeps answering link_expired for a while, then is deleted.
    expect((await server.storage.callLink(link.roomId))?.encryptedName).toBeNull();
    expect((await open(link)).body.error?.code).toBe('link_expired');
    clock.advance(CALL_LINK_EXPIRY_MS);
    await directory.sweep();
    expect(await server.storage.callLink(link.roomId)).toBeUndefined();
    expect((await open(link)).status).toBe(404);
  });

  it('keeps links across a server restart', async () => {
    const link = testCallLink();
    const created = await create(link, alice.token, true);
    await server.stop();
    server = createParleyServer(testConfig(folder.path, { clock }));
    http = new TestApi((await server.start()).api);
    expect(await open(link)).toEqual({ status: 200, body: created.body });
  });
});
