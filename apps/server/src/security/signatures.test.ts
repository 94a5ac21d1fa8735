/**
 * Hole: a prekey upload, an account creation or a link completion could carry ~100 signatures with
 * a non-canonical scalar (s ≥ ℓ). libsignal accepts those, so the server checked each one on the
 * pure-JS verifier (~4 ms of event loop each, ~0.4 s a body). Honest XEdDSA signers reduce s mod ℓ,
 * so the server now refuses such signatures outright: every check stays on the platform's Ed25519.
 * The event-loop figures under attack are in `tools/bench/hostile-uploads.ts`.
 */
import { PublicKey } from '@signalapp/libsignal-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity, withNonCanonicalScalar } from '../testing/test-keys.js';
import { TestApi, tempFolder, testConfig } from '../testing/test-support.js';

describe('security: signatures that only a hostile client makes', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  let http: TestApi;

  beforeEach(async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path));
    http = new TestApi((await server.start()).api);
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('the crafted signature is one libsignal itself accepts (so refusing it is stricter than libsignal)', () => {
    const identity = new TestIdentity();
    const key = identity.kyberPreKey();
    const crafted = withNonCanonicalScalar(key.signature);
    expect(crafted).not.toBe(key.signature);
    const verify = (signature: string) =>
      PublicKey.deserialize(Buffer.from(identity.identityKey, 'base64')).verify(Buffer.from(key.publicKey, 'base64'), Buffer.from(signature, 'base64'));
    expect([verify(key.signature), verify(crafted)]).toEqual([true, true]);
  });

  it('account creation refuses Kyber prekeys whose signatures carry a non-canonical scalar', async () => {
    const body = new TestIdentity().account('mallory', 20);
    body.device.kyberOneTimePreKeys = body.device.kyberOneTimePreKeys.map((key) => ({ ...key, signature: withNonCanonicalScalar(key.signature) }));
    const answer = await http.request('POST', '/api/accounts', { body });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ code: 'invalid_signature', message: expect.stringContaining('kyberOneTimePreKeys.0') });
  });

  it('a key upload refuses a signed prekey with a non-canonical scalar, and keeps the honest one', async () => {
    const identity = new TestIdentity();
    const device = await http.register(identity.account('mallory'));
    const honest = identity.signedPreKey();
    const refused = await http.request('PUT', '/api/keys', { token: device.token, body: { signedPreKey: { ...honest, signature: withNonCanonicalScalar(honest.signature) } } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_signature');
    const accepted = await http.request('PUT', '/api/keys', { token: device.token, body: { signedPreKey: honest } });
    expect(accepted.status).toBe(204);
  });
});
