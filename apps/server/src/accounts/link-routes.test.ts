import { AccountCreatedSchema, LinkCodeSchema, LinkProvisionedSchema, LinkRequestFrameSchema, RELAY_PATH } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { LINK_CODE_TTL_MS } from './link-routes.js';
import { TestIdentity, withNonCanonicalPadding } from '../testing/test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, tempFolder, testConfig } from '../testing/test-support.js';

const MAC = Buffer.alloc(32, 7).toString('base64');
const ENVELOPE = Buffer.from('identity key pair, encrypted to the ephemeral key').toString('base64');

describe('device linking', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let http: TestApi;
  let api: string;
  let identity: TestIdentity;
  let owner: TestDevice;
  const clock = new ManualClock(1_700_000_000_000);
  const clients: TestRelayClient[] = [];

  beforeEach(async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { clock, linkPollTimeoutMs: 200 }));
    ({ api } = await server.start());
    http = new TestApi(api);
    identity = new TestIdentity();
    owner = await http.register(identity.account('alice'));
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server.stop();
    await folder.remove();
  });

  const newCode = async () => LinkCodeSchema.parse((await http.request('POST', '/api/link/codes', { token: owner.token })).body);
  const request = (linkId: string) =>
    http.request('POST', '/api/link/requests', { body: { linkId, ephemeralPublicKey: new TestIdentity().identityKey, mac: MAC } });

  it('links a new device end to end: code, request pushed to the owner, provision, poll, complete', async () => {
    const socket = await TestRelayClient.signedIn(api, RELAY_PATH, owner.token);
    clients.push(socket);
    await socket.settle();

    const code = await newCode();
    expect(code.linkId).toMatch(/^[0-9a-f]{16}$/);
    expect(code.expiresAt).toBe(clock.now() + LINK_CODE_TTL_MS);

    const ephemeralPublicKey = new TestIdentity().identityKey;
    const created = await http.request('POST', '/api/link/requests', { body: { linkId: code.linkId, ephemeralPublicKey, mac: MAC } });
    expect(created.status).toBe(201);
    const { requestId } = created.body as { requestId: string };
    expect(LinkRequestFrameSchema.parse(await socket.next())).toEqual({ t: 'link-request', linkId: code.linkId, requestId, ephemeralPublicKey, mac: MAC });

    // Nothing provisioned yet: the poll waits, then answers 202.
    expect((await http.request('GET', `/api/link/requests/${requestId}`)).status).toBe(202);

    // A poll in progress is answered as soon as the provision arrives.
    const poll = http.request('GET', `/api/link/requests/${requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await http.request('POST', `/api/link/requests/${requestId}/provision`, { token: owner.token, body: { envelope: ENVELOPE } })).status).toBe(204);
    const provisioned = LinkProvisionedSchema.parse((await poll).body);
    expect(provisioned.envelope).toBe(ENVELOPE);

    const complete = await http.request('POST', '/api/link/complete', {
      body: { provisioningToken: provisioned.provisioningToken, device: identity.deviceKeys(3, 77) },
    });
    expect(complete.status).toBe(201);
    const device = AccountCreatedSchema.parse(complete.body);
    expect(device).toMatchObject({ userId: owner.userId, deviceId: 2 });

    const devices = await http.request('GET', '/api/devices', { token: device.token });
    expect(devices.body.devices.map((d: { deviceId: number }) => d.deviceId)).toEqual([1, 2]);
    // The provisioning token was for one use.
    const again = await http.request('POST', '/api/link/complete', {
      body: { provisioningToken: provisioned.provisioningToken, device: identity.deviceKeys(3, 78) },
    });
    expect(again.body.error.code).toBe('link_not_found');
  });

  it('answers link_not_found for an unknown code and link_expired for a used or expired one', async () => {
    expect((await request('0000000000000000')).body.error.code).toBe('link_not_found');
    const code = await newCode();
    expect((await request(code.linkId)).status).toBe(201);
    const used = await request(code.linkId);
    expect(used.status).toBe(410);
    expect(used.body.error.code).toBe('link_expired');

    const late = await newCode();
    clock.advance(LINK_CODE_TTL_MS);
    expect((await request(late.linkId)).status).toBe(410);
  });

  it('lets only the code\'s account provision, once', async () => {
    const { body } = await request((await newCode()).linkId);
    const mallory = await http.register(new TestIdentity().account('mallory'));
    const path = `/api/link/requests/${body.requestId}/provision`;
    expect((await http.request('POST', path, { token: mallory.token, body: { envelope: ENVELOPE } })).body.error.code).toBe('link_not_found');
    expect((await http.request('POST', path, { body: { envelope: ENVELOPE } })).status).toBe(401);
    expect((await http.request('POST', path, { token: owner.token, body: { envelope: 'not base64!' } })).status).toBe(400);
    expect((await http.request('POST', path, { token: owner.token, body: { envelope: ENVELOPE } })).status).toBe(204);
    expect((await http.request('POST', path, { token: owner.token, body: { envelope: ENVELOPE } })).body.error.code).toBe('link_provisioned');
  });

  it('refuses a new device whose keys are not signed by the account\'s identity key', async () => {
    const { body } = await request((await newCode()).linkId);
    await http.request('POST', `/api/link/requests/${body.requestId}/provision`, { token: owner.token, body: { envelope: ENVELOPE } });
    const { body: provisioned } = await http.request('GET', `/api/link/requests/${body.requestId}`);
    const answer = await http.request('POST', '/api/link/complete', {
      body: { provisioningToken: provisioned.provisioningToken, device: new TestIdentity().deviceKeys(1) },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_signature');
  });

  it('answers link_expired once the request outlives its code', async () => {
    const { body } = await request((await newCode()).linkId);
    await http.request('POST', `/api/link/requests/${body.requestId}/provision`, { token: owner.token, body: { envelope: ENVELOPE } });
    const { body: provisioned } = await http.request('GET', `/api/link/requests/${body.requestId}`);
    clock.advance(LINK_CODE_TTL_MS);
    expect((await http.request('GET', `/api/link/requests/${body.requestId}`)).status).toBe(410);
    const answer = await http.request('POST', '/api/link/complete', { body: { provisioningToken: provisioned.provisioningToken, device: identity.deviceKeys(1) } });
    expect(answer.body.error.code).toBe('link_expired');
  });

  it('answers 400 for a MAC or an envelope spelled in non-canonical base64', async () => {
    const code = await newCode();
    const body = { linkId: code.linkId, ephemeralPublicKey: new TestIdentity().identityKey, mac: withNonCanonicalPadding(MAC) };
    const refused = await http.request('POST', '/api/link/requests', { body });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toEqual({ code: 'invalid_request', message: 'Invalid body: mac: standard base64 of 32 bytes' });

    const { requestId } = (await http.request('POST', '/api/link/requests', { body: { ...body, mac: MAC } })).body as { requestId: string };
    const provision = (envelope: string) => http.request('POST', `/api/link/requests/${requestId}/provision`, { token: owner.token, body: { envelope } });
    expect((await provision(withNonCanonicalPadding(ENVELOPE))).body.error.code).toBe('invalid_request');
    expect((await provision(ENVELOPE)).status).toBe(204);
  });

  it('answers 404 for an unknown request id and 400 for a malformed one', async () => {
    expect((await http.request('GET', `/api/link/requests/${'0'.repeat(32)}`)).body.error.code).toBe('link_not_found');
    expect((await http.request('GET', '/api/link/requests/xyz')).body.error.code).toBe('invalid_request');
    expect((await http.request('POST', '/api/link/complete', { body: { provisioningToken: 'nope', device: identity.deviceKeys(0) } })).status).toBe(404);
  });

  it('does not hold the server\'s shutdown for a waiting poll', async () => {
    await server.stop();
    server = createParleyServer(testConfig(folder.path, { clock, linkPollTimeoutMs: 60_000 }));
    ({ api } = await server.start());
    http = new TestApi(api);
    const { body } = await request(LinkCodeSchema.parse((await http.request('POST', '/api/link/codes', { token: owner.token })).body).linkId);
    const poll = http.request('GET', `/api/link/requests/${body.requestId}`);
    await new Promise((resolve) => setTimeout(resolve, 30));
    // Woken by the shutdown (not after its 60 s): answered "still waiting", so it polls again.
    await server.stop();
    expect((await poll).status).toBe(202);
    ({ api } = await server.start());
  });
});
