import { EcKeyPair } from '@parley/signal-protocol';
import { describe, expect, it } from 'vitest';
import { LINK_SECRET_BITS, linkRequestMac, openLinkEnvelope, parseLinkCode, sealLinkEnvelope } from './device-link.js';

const account = { userId: 'u1', handle: 'ada', displayName: 'Ada', identityKeyPair: 'AAAA' };

describe('link codes', () => {
  it('split into the link id (sent to the server) and an 80-bit secret (never sent)', () => {
    const { linkId, secret } = parseLinkCode('ab12cd34ef56ab78-abcdefghijklmnop');
    expect(linkId).toBe('ab12cd34ef56ab78');
    expect(secret.length * 8).toBe(LINK_SECRET_BITS);
  });

  it.each(['', 'nodash', 'short-abcdefghijklmnop', 'ab12cd34ef56ab78-abc', 'ab12cd34ef56ab78-abcdefghijklmno1'])('rejects %j', (code) => {
    expect(() => parseLinkCode(code)).toThrow(expect.objectContaining({ code: 'invalid-code' }));
  });
});

describe('link envelopes', () => {
  it('open only with the same secret and the ephemeral key they were sealed to', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(10));
    const newDevice = await EcKeyPair.generate();
    const envelope = await sealLinkEnvelope(account, secret, newDevice.publicKey);
    await expect(openLinkEnvelope(envelope, secret, newDevice)).resolves.toEqual(account);

    const otherSecret = crypto.getRandomValues(new Uint8Array(10));
    await expect(openLinkEnvelope(envelope, otherSecret, newDevice)).rejects.toMatchObject({ code: 'bad-envelope' });
    await expect(openLinkEnvelope(envelope, secret, await EcKeyPair.generate())).rejects.toMatchObject({ code: 'bad-envelope' });
    const bytes = Uint8Array.from(atob(envelope), (c) => c.charCodeAt(0));
    bytes[bytes.length - 1]! ^= 1;
    await expect(openLinkEnvelope(btoa(String.fromCharCode(...bytes)), secret, newDevice)).rejects.toMatchObject({ code: 'bad-envelope' });
  });

  it('bind the ephemeral key to the secret with an HMAC', async () => {
    const secret = crypto.getRandomValues(new Uint8Array(10));
    const [a, b] = [await EcKeyPair.generate(), await EcKeyPair.generate()];
    expect(linkRequestMac(secret, a.publicKey)).toEqual(linkRequestMac(secret, a.publicKey));
    expect(linkRequestMac(secret, a.publicKey)).not.toEqual(linkRequestMac(secret, b.publicKey));
  });
});
