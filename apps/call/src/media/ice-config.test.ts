import type { TurnCredentials } from '@parley/contracts';
import { describe, expect, it } from 'vitest';
import { HOST_ONLY, IceConfigSource, NO_TURN_RECHECK_MS, TURN_REFRESH_MARGIN_MS } from './ice-config.js';

const HOUR = 3_600_000;
const turn = (expiresAt: number, policy: 'all' | 'relay' = 'all'): TurnCredentials => ({
  iceServers: [{ urls: ['turn:t:3478'], username: `${expiresAt / 1000}:u`, credential: 'c' }],
  iceTransportPolicy: policy,
  expiresAt,
});

describe('IceConfigSource', () => {
  it('passes the server\'s TURN servers and policy on, and reuses them until they near expiry', async () => {
    let now = 0;
    const answers: TurnCredentials[] = [turn(HOUR, 'relay'), turn(2 * HOUR)];
    let fetches = 0;
    const source = new IceConfigSource(async () => answers[fetches++]!, () => now);
    expect(await source.current()).toEqual({ iceServers: [{ urls: ['turn:t:3478'], username: '3600:u', credential: 'c' }], iceTransportPolicy: 'relay' });
    now = HOUR - TURN_REFRESH_MARGIN_MS - 1;
    await source.current();
    expect(fetches).toBe(1);
    now = HOUR - TURN_REFRESH_MARGIN_MS;
    expect((await source.current()).iceServers[0]?.username).toBe('7200:u');
    expect(fetches).toBe(2);
  });

  it('asks once for calls that start together', async () => {
    let fetches = 0;
    const source = new IceConfigSource(async () => (fetches++, turn(HOUR)), () => 0);
    await Promise.all([source.current(), source.current()]);
    expect(fetches).toBe(1);
  });

  it('uses host candidates without TURN, and asks again later', async () => {
    let now = 0;
    let fetches = 0;
    const source = new IceConfigSource(async () => (fetches++, { iceServers: [], iceTransportPolicy: 'all', expiresAt: null }), () => now);
    expect(await source.current()).toEqual(HOST_ONLY);
    now = NO_TURN_RECHECK_MS;
    await source.current();
    expect(fetches).toBe(2);
  });

  it('falls back to host candidates when the server cannot be asked, and warns', async () => {
    const warnings: string[] = [];
    const source = new IceConfigSource(() => Promise.reject(new Error('offline')), () => 0, (m) => warnings.push(m));
    expect(await source.current()).toEqual(HOST_ONLY);
    expect(warnings).toEqual(['no TURN credentials, using host candidates only: offline']);
    expect(await new IceConfigSource(null).current()).toEqual(HOST_ONLY);
  });
});
