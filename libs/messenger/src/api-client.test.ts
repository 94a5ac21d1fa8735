import { describe, expect, it } from 'vitest';
import { ParleyApiClient, type FetchFunction } from './api-client.js';
import { ParleyApiError } from './errors.js';

const answer = (status: number, body?: unknown): ReturnType<FetchFunction> =>
  Promise.resolve({ status, text: async () => (body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body)) });

function client(fetch: FetchFunction, token?: string) {
  return new ParleyApiClient({ baseUrl: 'https://parley.test/', fetch, token });
}

const user = {
  userId: 'u1',
  handle: 'ada',
  displayName: 'Ada',
  identityKey: btoa(String.fromCharCode(5, ...new Array(32).fill(1))),
  devices: [{ deviceId: 1, registrationId: 7 }],
};

describe('ParleyApiClient', () => {
  it("takes the platform's fetch as it is", () => {
    const platform: FetchFunction = globalThis.fetch;
    expect(typeof platform).toBe('function');
  });

  it('sends the bearer token and parses the answer with the contract schema', async () => {
    const calls: [string, Parameters<FetchFunction>[1]][] = [];
    const api = client(async (url, init) => {
      calls.push([url, init]);
      return answer(200, user);
    }, 'tok');
    await expect(api.findUserByHandle('ada')).resolves.toEqual(user);
    expect(calls[0]?.[0]).toBe('https://parley.test/api/users?handle=ada');
    expect(calls[0]?.[1].headers.authorization).toBe('Bearer tok');
  });

  it('fetches TURN credentials with the device token', async () => {
    const turn = { iceServers: [{ urls: ['turn:t:3478'], username: '9:u1', credential: 'c' }], iceTransportPolicy: 'relay', expiresAt: 9000 };
    const urls: string[] = [];
    const api = client(async (url, init) => {
      urls.push(`${init.method} ${url} ${init.headers.authorization}`);
      return answer(200, turn);
    }, 'tok');
    await expect(api.turnCredentials()).resolves.toEqual(turn);
    expect(urls).toEqual(['GET https://parley.test/api/turn Bearer tok']);
  });

  it("turns the server's error body into a ParleyApiError with its code and status", async () => {
    const api = client(() => answer(409, { error: { code: 'handle_taken', message: 'taken' } }));
    const error = await api
      .createAccount({
        handle: 'ada',
        displayName: 'Ada',
        identityKey: user.identityKey,
        device: {} as never,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParleyApiError);
    expect(error).toMatchObject({ code: 'handle_taken', status: 409 });
  });

  it('reports an answer that fails the schema, a body that is not JSON, and no answer at all', async () => {
    await expect(client(() => answer(200, { userId: 'u1' }), 't').getUser('u1')).rejects.toMatchObject({ code: 'invalid_response' });
    await expect(client(() => answer(200, '<html>'), 't').getUser('u1')).rejects.toMatchObject({ code: 'invalid_response', status: 200 });
    await expect(client(() => Promise.reject(new TypeError('offline')), 't').getUser('u1')).rejects.toMatchObject({ code: 'network' });
    await expect(client(() => answer(502), 't').getUser('u1')).rejects.toMatchObject({ code: 'http_502', status: 502 });
  });

  it('refuses an authenticated route without a token, calling nothing', async () => {
    let called = false;
    const api = client(async () => {
      called = true;
      return answer(200, user);
    });
    await expect(api.getUser('u1')).rejects.toMatchObject({ code: 'not_authenticated' });
    expect(called).toBe(false);
  });

  it('tells a waiting link long-poll (202) from a provisioned one', async () => {
    await expect(client(() => answer(202)).pollLink('r1')).resolves.toEqual({ status: 'waiting' });
    await expect(client(() => answer(200, { envelope: 'AAAA', provisioningToken: 'p' })).pollLink('r1')).resolves.toEqual({
      status: 'provisioned',
      envelope: 'AAAA',
      provisioningToken: 'p',
    });
    await expect(client(() => answer(410, { error: { code: 'link_expired', message: 'expired' } })).pollLink('r1')).rejects.toMatchObject({
      code: 'link_expired',
    });
  });
});
