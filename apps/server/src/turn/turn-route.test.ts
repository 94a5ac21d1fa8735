import { createHmac } from 'node:crypto';
import { TurnCredentialsSchema } from '@parley/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { configFromEnv } from '../config.js';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, tempFolder, testConfig } from '../testing/test-support.js';
import { TURN_PATH, turnRestCredential } from './turn-route.js';

const NOW = 1_700_000_000_000;
const TURN = { urls: ['turn:127.0.0.1:3478?transport=udp'], secret: 'north-wind', ttlSeconds: 3600, relayOnly: false };

describe('GET /api/turn', () => {
  let server: ParleyServer | null = null;
  let folder: Awaited<ReturnType<typeof tempFolder>> | null = null;
  afterEach(async () => {
    await server?.stop();
    await folder?.remove();
  });

  async function start(turn: typeof TURN | null) {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { clock: new ManualClock(NOW), turn }));
    const http = new TestApi((await server.start()).api);
    const device = await http.register(new TestIdentity().account('alice'));
    return { http, device };
  }

  it('issues coturn REST credentials: username "<expiry>:<userId>", credential base64(HMAC-SHA1(secret, username))', async () => {
    const { http, device } = await start(TURN);
    const answer = await http.request('GET', TURN_PATH, { token: device.token });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = TurnCredentialsSchema.parse(answer.body);
    const expiry = NOW / 1000 + 3600;
    const username = `${expiry}:${device.userId}`;
    expect(body).toEqual({
      iceServers: [{ urls: TURN.urls, username, credential: createHmac('sha1', 'north-wind').update(username).digest('base64') }],
      iceTransportPolicy: 'all',
      expiresAt: expiry * 1000,
    });
  });

  it('answers with no ICE servers when TURN is not configured (host candidates)', async () => {
    const { http, device } = await start(null);
    const answer = await http.request('GET', TURN_PATH, { token: device.token });
    expect(answer.body).toEqual({ iceServers: [], iceTransportPolicy: 'all', expiresAt: null });
  });

  it('asks for relay-only ICE when the operator says so', async () => {
    const { http, device } = await start({ ...TURN, relayOnly: true });
    expect((await http.request('GET', TURN_PATH, { token: device.token })).body.iceTransportPolicy).toBe('relay');
  });

  it('needs a device token', async () => {
    const { http } = await start(TURN);
    expect((await http.request('GET', TURN_PATH)).status).toBe(401);
    expect((await http.request('GET', TURN_PATH, { token: 'not-a-token' })).status).toBe(401);
  });
});

describe('TURN configuration', () => {
  it('computes the credential coturn expects (value computed independently with Python hmac)', () => {
    expect(turnRestCredential('secret', 'u1', 1_000)).toEqual({ username: '1000:u1', credential: 'Qd4T0FewLLbRoGcRvKF+yXrWty4=' });
  });

  it('reads PARLEY_TURN_URLS and PARLEY_TURN_SECRET together, or none at all', () => {
    expect(configFromEnv({}).turn).toBeNull();
    expect(configFromEnv({ PARLEY_TURN_URLS: 'turn:a:3478, turns:b:5349', PARLEY_TURN_SECRET: 's' }).turn).toEqual({
      urls: ['turn:a:3478', 'turns:b:5349'],
      secret: 's',
      ttlSeconds: 6 * 3600,
      relayOnly: false,
    });
    expect(configFromEnv({ PARLEY_TURN_URLS: 'turn:a', PARLEY_TURN_SECRET: 's', PARLEY_TURN_RELAY_ONLY: '1', PARLEY_TURN_TTL_SECONDS: '600' }).turn).toMatchObject({
      relayOnly: true,
      ttlSeconds: 600,
    });
    expect(() => configFromEnv({ PARLEY_TURN_URLS: 'turn:a' })).toThrow(/go together/);
    expect(() => configFromEnv({ PARLEY_TURN_SECRET: 's' })).toThrow(/go together/);
    expect(() => configFromEnv({ PARLEY_TURN_URLS: 'http://a', PARLEY_TURN_SECRET: 's' })).toThrow(/turn: or turns:/);
    expect(() => configFromEnv({ PARLEY_TURN_URLS: 'turn:a', PARLEY_TURN_SECRET: 's', PARLEY_TURN_TTL_SECONDS: '5' })).toThrow(/TTL/);
  });
});
