import { describe, expect, it } from 'vitest';
import { BUS_EVENTS, INITIAL_STATES } from './bus-events.js';
import { CreateAccountRequestSchema } from './accounts-api.js';
import { CONTENT_ROUTES, ContentSchema } from './content.js';
import { CONTRACT_VERSION, majorOf } from './contract-version.js';
import { EvaluatedManifestSchema, SignedManifestSchema } from './manifest.js';
import { ClientFrameSchema, ServerFrameSchema } from './relay-frames.js';

const manifest = {
  schemaVersion: 1,
  userId: 'dev-0123456789abcdef',
  issuedAt: 1_700_000_000_000,
  expiresAt: 1_700_000_300_000,
  contractVersion: CONTRACT_VERSION,
  remotes: {
    call: {
      entry: 'http://127.0.0.1:4202/remoteEntry.js',
      version: '0.1.0',
      integrity: 'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC',
    },
  },
};

describe('evaluated manifest schema', () => {
  it('accepts a manifest in its final shape', () => {
    expect(EvaluatedManifestSchema.parse(manifest)).toEqual(manifest);
    expect(SignedManifestSchema.parse({ manifest: JSON.stringify(manifest), signature: null }).signature).toBeNull();
  });

  it.each([
    ['an unknown remote', { remotes: { mail: manifest.remotes.call } }],
    ['a non-http entry', { remotes: { call: { ...manifest.remotes.call, entry: 'javascript:alert(1)' } } }],
    ['a non-SRI integrity', { remotes: { call: { ...manifest.remotes.call, integrity: 'md5-abc' } } }],
    ['a version that is not semver', { remotes: { call: { ...manifest.remotes.call, version: 'latest' } } }],
    ['another schema version', { schemaVersion: 2 }],
  ])('rejects %s', (_label, change) => {
    expect(EvaluatedManifestSchema.safeParse({ ...manifest, ...change }).success).toBe(false);
  });
});

describe('content envelope', () => {
  it('routes every content type to a bus event that exists and is a moment', () => {
    for (const event of Object.values(CONTENT_ROUTES)) expect(BUS_EVENTS[event].kind).toBe('event');
  });

  it('parses text and refuses an empty body or unknown type', () => {
    const text = { type: 'text', conversationId: 'c', body: 'hi', sentAt: 1 };
    expect(ContentSchema.parse(text)).toEqual(text);
    expect(ContentSchema.safeParse({ ...text, body: '' }).success).toBe(false);
    expect(ContentSchema.safeParse({ ...text, type: 'html' }).success).toBe(false);
  });
});

describe('relay frames', () => {
  it('accepts base64 ciphertext only', () => {
    const send = { t: 'send', id: 'm1', to: 'u2', messages: [{ deviceId: 1, type: 3, ciphertext: 'AAEC' }] };
    expect(ClientFrameSchema.parse(send)).toEqual(send);
    expect(ClientFrameSchema.safeParse({ ...send, messages: [{ deviceId: 1, type: 3, ciphertext: 'not base64!' }] }).success).toBe(false);
    expect(ClientFrameSchema.safeParse({ ...send, messages: [{ deviceId: 1, type: 1, ciphertext: 'AAEC' }] }).success).toBe(false);
    expect(ServerFrameSchema.safeParse({ t: 'deliver', id: 'm1', from: { userId: 'u1', deviceId: 0 }, ciphertext: 'AA==' }).success).toBe(false);
  });
});

describe('accounts API', () => {
  const key33 = Buffer.alloc(33, 5).toString('base64');
  const sig = Buffer.alloc(64, 1).toString('base64');
  const kyber = Buffer.alloc(1569, 8).toString('base64');
  const device = {
    registrationId: 1234,
    signedPreKey: { keyId: 1, publicKey: key33, signature: sig },
    kyberLastResortPreKey: { keyId: 2, publicKey: kyber, signature: sig },
    oneTimePreKeys: [{ keyId: 3, publicKey: key33 }],
    kyberOneTimePreKeys: [],
  };

  it('accepts an account with keys of the exact serialized lengths', () => {
    expect(CreateAccountRequestSchema.safeParse({ handle: 'ada.l', displayName: 'Ada', identityKey: key33, device }).success).toBe(true);
  });

  it.each([
    ['an uppercase handle', { handle: 'Ada' }],
    ['a handle ending in a dot', { handle: 'ada.' }],
    ['a 32-byte identity key', { identityKey: Buffer.alloc(32).toString('base64') }],
    // 64 bytes leave four spare bits before the padding; set, they make a second spelling of the same signature.
    ['a signature not in canonical base64', { device: { ...device, signedPreKey: { ...device.signedPreKey, signature: sig.replace(/Q==$/, 'R==') } } }],
    ['a blank display name', { displayName: '   ' }],
  ])('rejects %s', (_label, change) => {
    expect(CreateAccountRequestSchema.safeParse({ handle: 'ada', displayName: 'Ada', identityKey: key33, device, ...change }).success).toBe(false);
  });
});

describe('bus contract', () => {
  it('gives every state an initial value and every event a positive version', () => {
    for (const [type, spec] of Object.entries(BUS_EVENTS)) {
      expect(spec.version).toBeGreaterThan(0);
      if (spec.kind === 'state') expect(type in INITIAL_STATES).toBe(true);
    }
  });

  it('reads the major of a version', () => {
    expect(majorOf('1.4.2')).toBe(1);
    expect(majorOf('x')).toBeNaN();
  });
});

describe('group chats (issue 8)', () => {
  it('send and deliver frames carry SenderKeyMessages (type 7), nothing else new', () => {
    const send = { t: 'send', id: 'm~0', to: 'u-bob', messages: [{ deviceId: 1, type: 7, ciphertext: 'AAAA' }] };
    expect(ClientFrameSchema.safeParse(send).success).toBe(true);
    expect(ClientFrameSchema.safeParse({ ...send, messages: [{ deviceId: 1, type: 4, ciphertext: 'AAAA' }] }).success).toBe(false);
    const deliver = { t: 'deliver', id: 'e1', messageId: 'm~0', from: { userId: 'u-ada', deviceId: 1 }, type: 7, ciphertext: 'AAAA' };
    expect(ServerFrameSchema.safeParse(deliver).success).toBe(true);
  });

  it('group-update and sender-key content parse and are routed; a group without members does not', () => {
    const update = { type: 'group-update', groupId: 'g.1', name: 'Climbers', members: ['u-ada', 'u-bob'], updatedAt: 1 };
    expect(ContentSchema.parse(update)).toEqual(update);
    expect(ContentSchema.safeParse({ ...update, members: [] }).success).toBe(false);
    expect(ContentSchema.safeParse({ ...update, name: '' }).success).toBe(false);
    expect(ContentSchema.parse({ type: 'sender-key', groupId: 'g.1', distribution: 'AAAA' }).type).toBe('sender-key');
    expect(CONTENT_ROUTES['group-update']).toBe('content.group-update');
    expect(BUS_EVENTS['call.group-requested'].kind).toBe('event');
  });
});

describe('scheduled calls (issue 9)', () => {
  const call = {
    type: 'scheduled-call',
    scheduleId: 's-1',
    conversationId: 'u-bob',
    title: 'Planning',
    description: 'Agenda: roadmap',
    startsAt: Date.UTC(2026, 11, 1, 15),
    endsAt: Date.UTC(2026, 11, 1, 16),
    timeZone: 'Europe/Moscow',
    linkSecret: 'AAAAAAAAAAAAAAAAAAAAAA',
    organizer: { userId: 'u-ada', displayName: 'Ada' },
    status: 'scheduled',
    revision: 1,
    updatedAt: 1,
  };

  it('parses and is routed to its own bus event', () => {
    expect(ContentSchema.parse(call)).toEqual(call);
    expect(CONTENT_ROUTES['scheduled-call']).toBe('content.scheduled-call');
    expect(BUS_EVENTS['content.scheduled-call'].kind).toBe('event');
  });

  it('refuses an end before the start, a call longer than a day, an empty title and a malformed link secret', () => {
    expect(ContentSchema.safeParse({ ...call, endsAt: call.startsAt }).success).toBe(false);
    expect(ContentSchema.safeParse({ ...call, endsAt: call.startsAt + 25 * 3_600_000 }).success).toBe(false);
    expect(ContentSchema.safeParse({ ...call, title: '  ' }).success).toBe(false);
    expect(ContentSchema.safeParse({ ...call, linkSecret: 'short' }).success).toBe(false);
    expect(ContentSchema.safeParse({ ...call, status: 'moved' }).success).toBe(false);
  });
});
