/**
 * What the server keeps and logs of a call link: after creating, opening, renaming, joining (with
 * approval), resetting and revoking links, the database files (-wal and -shm included) and the
 * log at trace level hold no verifier — the one secret the server is sent, in the verifier header
 * and in the create, reset and join-link bodies — in clear, hex or base64: only its SHA-256, which
 * the same scan does find (the control), as it finds the room ids and the name ciphertext.
 *
 * The root secret, the name key and the call name never reach the server at all (the client
 * derives and encrypts; libs/call-links has its own tests): scanning for them here is a backstop,
 * it proves nothing about the server.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { SfuRequest, SfuResultFrame } from '@parley/contracts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { GroupCalls } from '../sfu/group-calls.js';
import { RoomSecrets } from '../sfu/room-secret.js';
import { SfuGateway } from '../sfu/sfu-gateway.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, tempFolder, testConfig } from '../testing/test-support.js';
import { CallLinkDirectory } from './call-link-directory.js';
import { CALL_LINK_VERIFIER_HEADER } from './call-link-routes.js';
import { LinkCalls } from './link-calls.js';
import { type TestCallLink, createBody, testCallLink } from './test-links.js';

/** Every form bytes could take in a file: raw, hex, and base64 / base64url at each byte alignment. */
function forms(bytes: Buffer): Buffer[] {
  const found = [bytes, Buffer.from(bytes.toString('hex')), Buffer.from(bytes.toString('hex').toUpperCase())];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Only the base64 quanta fixed by the secret alone, away from its neighbours.
    const inner = encoded.slice(offset === 0 ? 0 : 4, -4);
    found.push(Buffer.from(inner), Buffer.from(inner.replaceAll('+', '-').replaceAll('/', '_')));
  }
  return found;
}

describe('call links privacy scan', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  const log: string[] = [];
  const clock = new ManualClock(1_700_000_000_000);
  const logDestination = new Writable({
    write(chunk, _encoding, done) {
      log.push(String(chunk));
      done();
    },
  });

  beforeEach(async () => {
    folder = await tempFolder();
    server = createParleyServer(testConfig(folder.path, { clock, logLevel: 'trace', logDestination }));
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('stores and logs no verifier it was sent, only its SHA-256 (found), next to the room ids and name ciphertext (found)', async () => {
    const http = new TestApi((await server.start()).api);
    const alice = await http.register(new TestIdentity().account('privacy.links'));
    const links: TestCallLink[] = [testCallLink('Board meeting: layoffs'), testCallLink('Surprise party for Bob'), testCallLink('Renamed call')];
    const [first, second, renamed] = links as [TestCallLink, TestCallLink, TestCallLink];
    const opened = (link: TestCallLink) =>
      fetch(`${http.base}/api/call-links/${link.roomId}`, { headers: { [CALL_LINK_VERIFIER_HEADER]: link.verifier } }).then((r) => r.status);

    // HTTP: create, open (also with a wrong verifier), rename, reset onto a new secret, revoke.
    expect((await http.request('POST', '/api/call-links', { token: alice.token, body: createBody(first, true) })).status).toBe(201);
    expect(await opened(first)).toBe(200);
    expect(await opened({ ...first, verifier: second.verifier })).toBe(404);
    await http.request('PATCH', `/api/call-links/${first.roomId}`, { token: alice.token, body: { encryptedName: renamed.encryptedName } });
    expect((await http.request('POST', `/api/call-links/${first.roomId}/reset`, { token: alice.token, body: { roomId: second.roomId, verifier: second.verifier, encryptedName: second.encryptedName } })).status).toBe(201);
    const guest = (await http.request('POST', '/api/guests', { body: { ...(({ handle: _h, ...rest }) => rest)(new TestIdentity().account('x')), displayName: 'Guest' } })).body;

    // SFU: join-link with approval, a request admitted, on the server's own store and a logger writing to the same log.
    const sfuLog = pino({ level: 'trace' }, logDestination);
    const calls = new GroupCalls({
      storage: server.storage,
      rooms: { available: () => true, createRoom: async () => 'ws://janus', destroyRoom: async () => undefined, setTokenAllowed: async () => undefined, adjustLoad: () => undefined },
      secrets: RoomSecrets.fromDataDir(folder.path),
      clock,
      log: sfuLog,
      emptyCallTimeoutMs: 60_000,
    });
    const directory = new CallLinkDirectory({ storage: server.storage, clock, log: sfuLog, endCall: (id, reason) => calls.end(id, reason) });
    const frames: unknown[] = [];
    const linkCalls = new LinkCalls({ directory, storage: server.storage, calls, notify: (_d, frame) => void frames.push(frame), log: sfuLog });
    const gateway = new SfuGateway({
      calls,
      links: linkCalls,
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for janode's handle
      rooms: { attach: async () => ({ on: () => undefined, joinPublisher: async () => ({}), detach: async () => undefined }) as any },
      notify: (_d, frame) => void frames.push(frame),
      limiter: new RateLimiter(null, clock),
      log: sfuLog,
      disconnectGraceMs: 10,
    });
    const ask = (device: { userId: string; deviceId: number }, request: SfuRequest) =>
      new Promise<SfuResultFrame>((resolve) => gateway.handle(device, { t: 'sfu', id: 'x', request }, (frame) => resolve(frame as SfuResultFrame)));
    const creator = { userId: alice.userId, deviceId: 1 };
    const visitor = { userId: guest.userId as string, deviceId: 1 };
    const joined = await ask(creator, { op: 'join-link', roomId: second.roomId, verifier: second.verifier });
    expect(joined.ok).toBe(true);
    const callId = joined.body!.callId as string;
    const waiting = await ask(visitor, { op: 'join-link', roomId: second.roomId, verifier: second.verifier });
    expect(waiting.body).toMatchObject({ waiting: true });
    await ask(creator, { op: 'admit', callId, requestId: waiting.body!.requestId as string, admit: true });
    expect((await ask(visitor, { op: 'join-link', roomId: second.roomId, verifier: second.verifier })).ok).toBe(true);
    expect((await ask(visitor, { op: 'join-link', roomId: second.roomId, verifier: first.verifier })).code).toBe('link_not_found');
    // The last link is revoked (its call ends); a third one stays live.
    expect((await http.request('DELETE', `/api/call-links/${second.roomId}`, { token: alice.token })).status).toBe(204);
    const third = testCallLink('Quarterly numbers');
    links.push(third);
    await http.request('POST', '/api/call-links', { token: alice.token, body: createBody(third) });
    linkCalls.stop();

    const verifierBytes = (link: TestCallLink) => Buffer.from(link.verifier, 'base64url');
    const hidden: Array<[string, Buffer]> = links.flatMap((link) => [
      // Sent to the server: what this scan is about.
      [`verifier of "${link.name}"`, verifierBytes(link)],
      // Never sent (a backstop, see above).
      [`secret of "${link.name}"`, link.secret],
      [`name key of "${link.name}"`, link.nameKey],
      [`name "${link.name}"`, Buffer.from(link.name, 'utf8')],
    ] as Array<[string, Buffer]>);
    const scanFor = (label: string, bytes: Buffer, secrets: ReadonlyArray<[string, Buffer]>) =>
      secrets.flatMap(([what, secret]) => (forms(secret).some((form) => bytes.includes(form)) ? [`${label}: ${what}`] : []));
    const scan = (label: string, bytes: Buffer) => scanFor(label, bytes, hidden);
    const dbFiles = () => readdirSync(folder.path).filter((name) => name.startsWith('parley.sqlite'));
    const running = dbFiles();
    expect(running).toEqual(expect.arrayContaining(['parley.sqlite', 'parley.sqlite-wal']));
    const findings = running.flatMap((name) => scan(name, readFileSync(join(folder.path, name))));
    const db = Buffer.concat(running.map((name) => readFileSync(join(folder.path, name))));
    // Positive controls: the room ids and the call id are stored in clear by design, and found.
    for (const link of [first, second, third]) expect(db.includes(link.roomId)).toBe(true);
    // The ciphertext of a name is stored (as bytes): the scan would see it if it were the name.
    expect(db.includes(Buffer.from(third.encryptedName, 'base64'))).toBe(true);
    // The control for the verifiers: the same scan finds the SHA-256 the server keeps of each.
    const hashes = [first, second, third].map((link): [string, Buffer] => [`hash of ${link.roomId}`, createHash('sha256').update(verifierBytes(link)).digest()]);
    expect(scanFor('db', db, hashes)).toHaveLength(hashes.length);

    await server.stop();
    for (const name of dbFiles()) findings.push(...scan(`${name} (stopped)`, readFileSync(join(folder.path, name))));
    const logText = Buffer.from(log.join(''));
    findings.push(...scan('log', logText));
    expect(logText.includes(first.roomId)).toBe(true);
    expect(logText.includes(callId)).toBe(true);
    console.log(`call link privacy scan: ${hidden.length} secrets in ${forms(Buffer.alloc(16)).length} forms, ${running.length} db files and ${log.length} log lines: ${findings.length} findings`);
    expect(findings).toEqual([]);
  });

  it('would notice a name in clear, hex or base64 (the scan itself works)', () => {
    const name = Buffer.from('Board meeting: layoffs');
    for (const embedding of [name.toString(), name.toString('hex'), Buffer.concat([Buffer.from('ab'), name]).toString('base64'), name.toString('base64url')]) {
      expect(forms(name).some((form) => Buffer.from(`…${embedding}…`).includes(form))).toBe(true);
    }
  });
});
