import { describe, expect, it } from 'vitest';
import { ParleyApiClient, type FetchFunction } from './api-client.js';
import { callLinkService, type CallServices, callServices, provideCallServices, turnCredentialService, withLegacyCallServiceMethods } from './call-services.js';
import { MessengerError, ParleyApiError } from './errors.js';

/** An API client whose server answers every request with `answer` (or cannot be reached). */
function apiAnswering(answer: { status: number; body: unknown } | 'unreachable'): { api: ParleyApiClient; requests: Request[] } {
  const requests: Request[] = [];
  const fetch: FetchFunction = async (input, init) => {
    requests.push(new Request(input, init));
    if (answer === 'unreachable') throw new TypeError('fetch failed');
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  };
  return { api: new ParleyApiClient({ baseUrl: 'https://parley.test', fetch, token: 'device-token' }), requests };
}

describe('TURN credentials', () => {
  it('come from GET /api/turn with the device token', async () => {
    const credentials = { iceServers: [{ urls: ['turn:turn.parley.test'], username: 'u', credential: 'c' }], iceTransportPolicy: 'all', expiresAt: 1_000 };
    const { api, requests } = apiAnswering({ status: 200, body: credentials });
    expect(await turnCredentialService(api).turnCredentials()).toEqual(credentials);
    expect(requests.map((r) => [r.method, new URL(r.url).pathname, r.headers.get('authorization')])).toEqual([['GET', '/api/turn', 'Bearer device-token']]);
  });

  it('fail as a MessengerError with the closest code', async () => {
    const failure = await turnCredentialService(apiAnswering('unreachable').api).turnCredentials().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(MessengerError);
    expect(failure).toMatchObject({ code: 'network' });
  });
});

describe('call links', () => {
  it("pass the server's own error through, so the call app can say a link was revoked", async () => {
    const { api } = apiAnswering({ status: 410, body: { error: { code: 'link_revoked', message: 'revoked' } } });
    const failure = await callLinkService(api).get('room', 'verifier').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ParleyApiError);
    expect(failure).toMatchObject({ code: 'link_revoked' });
  });
});

describe('the page call services', () => {
  it('are what the shell provided, until withdrawn', () => {
    const { api } = apiAnswering('unreachable');
    const services: CallServices = { turn: turnCredentialService(api), callLinks: callLinkService(api) };
    const withdraw = provideCallServices(services);
    expect(callServices()).toBe(services);
    expect(() => provideCallServices({ ...services })).toThrow(/already/);
    withdraw();
    expect(() => callServices()).toThrow(/not provided/);
  });
});

describe('legacy call-service methods on the messenger', () => {
  it('serve a call release built before the split from the same services', async () => {
    const credentials = { iceServers: [], iceTransportPolicy: 'all', expiresAt: 5 };
    const { api } = apiAnswering({ status: 200, body: credentials });
    const services: CallServices = { turn: turnCredentialService(api), callLinks: callLinkService(api) };
    const messenger = withLegacyCallServiceMethods({ sendText: () => 'kept' }, services) as unknown as {
      sendText(): string;
      turnCredentials(): Promise<unknown>;
      callLinks(): unknown;
    };
    expect(messenger.sendText()).toBe('kept');
    expect(await messenger.turnCredentials()).toEqual(credentials);
    expect(messenger.callLinks()).toBe(services.callLinks);
  });
});
