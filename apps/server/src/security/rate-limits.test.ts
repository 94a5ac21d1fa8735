/**
 * Holes: behind a TLS reverse proxy every caller shared the proxy's address (one bucket for all),
 * while a spoofed X-Forwarded-For was no concern only because nothing read it; IPv6 hosts rotate
 * addresses inside their /64; limits were taken after Fastify had parsed a body of up to 512 KB;
 * `GET /api/manifest`, pings and acks were free; one device could drain a victim's one-time prekeys
 * by fetching their bundle in a loop; nothing capped relay sockets per address or account; a socket
 * that stopped reading made the server buffer for it without end.
 */
import { RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, type ServerConfig } from '../config.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestRelayClient, serverPerTest } from '../testing/test-support.js';

describe('security: rate limits that hold in production', () => {
  const perTest = serverPerTest();
  const { clients } = perTest;
  const start = (overrides: Partial<ServerConfig> = {}) => perTest.start(overrides);
  const anonymousOnce = { ...DEFAULT_RATE_LIMITS, anonymous: { burst: 1, perSecond: 0.001 } };
  /** A handle lookup without a token: answered 401 when allowed, 429 when the address is over its limit. */
  const anonymousCall = (headers: Record<string, string> = {}) => fetch(`${perTest.api}/api/users?handle=someone`, { headers }).then((r) => r.status);

  it('a caller over its limit is refused before its body is read: 429, not the 400 of parsing it', async () => {
    await start({ rateLimits: anonymousOnce });
    const broken = () => perTest.http.request('POST', '/api/accounts', { raw: '{"this is not json' });
    expect((await broken()).status).toBe(400);
    const refused = await broken();
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
  });

  it('without a trusted proxy, X-Forwarded-For is ignored: a made-up address escapes no limit', async () => {
    await start({ rateLimits: anonymousOnce });
    expect(await anonymousCall({ 'x-forwarded-for': '198.51.100.1' })).toBe(401);
    expect(await anonymousCall({ 'x-forwarded-for': '198.51.100.2' })).toBe(429);
  });

  it('behind a trusted proxy, every forwarded client has its own bucket, and IPv6 clients share theirs per /64', async () => {
    await start({ rateLimits: anonymousOnce, trustedProxies: ['127.0.0.1'] });
    expect(await anonymousCall({ 'x-forwarded-for': '198.51.100.1' })).toBe(401);
    expect(await anonymousCall({ 'x-forwarded-for': '198.51.100.1' })).toBe(429);
    expect(await anonymousCall({ 'x-forwarded-for': '198.51.100.2' })).toBe(401);
    expect(await anonymousCall({ 'x-forwarded-for': '2001:db8:1:2::10' })).toBe(401);
    // Another address of the same /64, as privacy extensions make them: the same caller.
    expect(await anonymousCall({ 'x-forwarded-for': '2001:db8:1:2:aaaa::77' })).toBe(429);
    expect(await anonymousCall({ 'x-forwarded-for': '2001:db8:1:3::10' })).toBe(401);
  });

  it('GET /api/manifest is limited per device like every other API call', async () => {
    await start({ rateLimits: { ...DEFAULT_RATE_LIMITS, api: { burst: 3, perSecond: 0.001 } } });
    const device = await perTest.http.register(new TestIdentity().account('alice'));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await perTest.http.request('GET', '/api/manifest?contract=1.0.0', { token: device.token })).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("one device cannot drain a victim's one-time prekeys: bundle fetches are limited per (requester, target)", async () => {
    await start({ rateLimits: { ...DEFAULT_RATE_LIMITS, bundleFetches: { burst: 3, perSecond: 0.001 } } });
    const victim = await perTest.http.register(new TestIdentity().account('victim', 20));
    const other = await perTest.http.register(new TestIdentity().account('other', 20));
    const mallory = await perTest.http.register(new TestIdentity().account('mallory'));
    const fetches: number[] = [];
    for (let i = 0; i < 5; i++) fetches.push((await perTest.http.request('GET', `/api/keys/${victim.userId}`, { token: mallory.token })).status);
    expect(fetches).toEqual([200, 200, 200, 429, 429]);
    const left = await perTest.http.request('GET', '/api/keys', { token: victim.token });
    expect(left.body.oneTimePreKeys).toBe(17);
    // Another target is a separate budget: a person starting chats with several contacts is not slowed.
    expect((await perTest.http.request('GET', `/api/keys/${other.userId}`, { token: mallory.token })).status).toBe(200);
  });

  it('key uploads (each body ~100 signatures to check) are limited per device', async () => {
    await start({ rateLimits: { ...DEFAULT_RATE_LIMITS, keyUploads: { burst: 2, perSecond: 0.001 } } });
    const identity = new TestIdentity();
    // Account creation is a key upload of the address; the device's own budget starts fresh.
    const device = await perTest.http.register(identity.account('alice'));
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await perTest.http.request('PUT', '/api/keys', { token: device.token, body: { signedPreKey: identity.signedPreKey() } })).status);
    expect(statuses).toEqual([204, 204, 429]);
  });

  describe('relay sockets', () => {
    const caps = { perAddress: 3, perAccount: 2, maxBufferedBytes: 64 * 1024 };

    it('are capped per address: the socket over the cap is closed with tooManyConnections', async () => {
      await start({ relayConnectionCaps: caps });
      for (let i = 0; i < 3; i++) clients.push(await TestRelayClient.connect(perTest.api, RELAY_PATH));
      const fourth = await TestRelayClient.connect(perTest.api, RELAY_PATH);
      expect((await fourth.closed).code).toBe(RELAY_CLOSE.tooManyConnections);
      // A closed socket frees its place.
      clients.shift()!.close();
      await expect.poll(() => perTest.server.openRelaySockets()).toBe(2);
      const again = await TestRelayClient.connect(perTest.api, RELAY_PATH);
      clients.push(again);
      expect(again.socket.readyState).toBe(again.socket.OPEN);
    });

    it('are capped per account: sockets authenticating with one token beyond the cap are refused', async () => {
      await start({ relayConnectionCaps: { ...caps, perAddress: 100 } });
      const device = await perTest.http.register(new TestIdentity().account('alice'));
      const sockets = await Promise.all(Array.from({ length: 4 }, () => TestRelayClient.connect(perTest.api, RELAY_PATH)));
      clients.push(...sockets);
      for (const socket of sockets) socket.send({ t: 'auth', token: device.token });
      const closes = await Promise.all(sockets.map((socket) => Promise.race([socket.closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 1_000))])));
      const refused = closes.filter((close) => close?.code === RELAY_CLOSE.tooManyConnections);
      expect(refused.length).toBeGreaterThanOrEqual(2);
    });

    it('a ping flood closes the socket with tooManyFrames; pings at a client\'s pace are answered', async () => {
      await start({ rateLimits: { ...DEFAULT_RATE_LIMITS, relayFrames: { burst: 20, perSecond: 0.001 } } });
      const device = await perTest.http.register(new TestIdentity().account('alice'));
      const client = await TestRelayClient.signedIn(perTest.api, RELAY_PATH, device.token);
      clients.push(client);
      await client.settle();
      for (let i = 0; i < 40; i++) client.send({ t: 'ping' });
      expect((await client.closed).code).toBe(RELAY_CLOSE.tooManyFrames);
    });

    it('a socket that stops reading is cut once the server would buffer more than the bound for it', { timeout: 20_000 }, async () => {
      // A window larger than what the kernel buffers absorb, so the bytes wait in the server.
      await start({ relayConnectionCaps: { ...caps, perAddress: 100, deliveryWindowBytes: 64 * 1024 * 1024 }, rateLimits: null });
      const alice = await perTest.http.register(new TestIdentity().account('alice'));
      const bob = await perTest.http.register(new TestIdentity().account('bob'));
      const sender = await TestRelayClient.signedIn(perTest.api, RELAY_PATH, alice.token);
      const reader = await TestRelayClient.signedIn(perTest.api, RELAY_PATH, bob.token);
      clients.push(sender, reader);
      await reader.settle();
      // Bob's client stops reading from its socket, as a stalled or hostile client would.
      (reader.socket as unknown as { _socket: { pause(): void } })._socket.pause();
      const ciphertext = Buffer.alloc(140 * 1024, 1).toString('base64');
      for (let i = 0; i < 100; i++) sender.send({ t: 'send', id: `m${i}`, to: bob.userId, messages: [{ deviceId: 1, type: 2, ciphertext }] });
      await expect.poll(() => perTest.server.openRelaySockets(), { timeout: 10_000 }).toBe(1);
      for (let i = 0; i < 100; i++) expect((await sender.until('result', 10_000)).ok).toBe(true);
      // Nothing was lost: the queue waits for Bob's next connection.
      const back = await TestRelayClient.signedIn(perTest.api, RELAY_PATH, bob.token);
      clients.push(back);
      const first = await back.until('deliver');
      expect(first.messageId).toBe('m0');
    });
  });
});
