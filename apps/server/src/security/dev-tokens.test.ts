/**
 * The `dev.<userId>` backdoor is gone: the server once accepted `dev.<any user id>` as device 1 of
 * that user when PARLEY_DEV_TOKENS=1 was set, so anyone reaching a server started with it could
 * speak for any account. Started from an environment that still sets it, the server refuses such
 * tokens over HTTP and on the relay WebSocket — also for the user id of a real account — while the
 * same account's real device token works.
 */
import { RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configFromEnv } from '../config.js';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestRelayClient, type TestDevice, registerAccount, tempFolder } from '../testing/test-support.js';

describe('development tokens (PARLEY_DEV_TOKENS)', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let api: string;
  let alice: TestDevice;

  beforeEach(async () => {
    folder = await tempFolder();
    // The environment of a server that was started with the old switch on.
    const env = { PARLEY_DATA_DIR: folder.path, PARLEY_HOST: '127.0.0.1', PARLEY_API_PORT: '0', PARLEY_LOG_LEVEL: 'silent', PARLEY_DEV_TOKENS: '1' };
    server = createParleyServer({ ...configFromEnv(env), apps: {}, publishLocalBuilds: false, relayCommitThread: false });
    ({ api } = await server.start());
    alice = await registerAccount(api, 'alice');
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  const manifestAs = (token: string) => fetch(`${api}/api/manifest?contract=1.0.0`, { headers: { authorization: `Bearer ${token}` } });

  it('refuses dev.<userId> over HTTP with 401, for an unknown user and for a real account, even with PARLEY_DEV_TOKENS=1', async () => {
    expect((await manifestAs(alice.token)).status).toBe(200);
    for (const token of ['dev.alice', `dev.${alice.userId}`]) {
      const refused = await manifestAs(token);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    }
    const keys = await fetch(`${api}/api/keys`, { headers: { authorization: `Bearer dev.${alice.userId}` } });
    expect(keys.status).toBe(401);
  });

  it('refuses dev.<userId> on the relay WebSocket (unauthorized, closed authFailed), even with PARLEY_DEV_TOKENS=1', async () => {
    const real = await TestRelayClient.signedIn(api, RELAY_PATH, alice.token);
    real.close();
    for (const token of ['dev.alice', `dev.${alice.userId}`]) {
      const client = await TestRelayClient.connect(api, RELAY_PATH);
      client.send({ t: 'auth', token });
      expect(await client.next()).toEqual({ t: 'error', code: 'unauthorized', message: expect.any(String) });
      expect((await client.closed).code).toBe(RELAY_CLOSE.authFailed);
    }
  });
});
