import { Writable } from 'node:stream';
import type { SfuResultFrame, ServerFrame } from '@parley/contracts';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '@parley/clock/testing';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import { SqliteStorage } from '../storage/sqlite-storage.js';
import { registerAccount, tempFolder, testConfig } from '../testing/test-support.js';
import { GroupCalls } from './group-calls.js';
import { RoomSecrets } from './room-secret.js';
import { SfuError } from './sfu-error.js';
import { SfuGateway, offeredMids, toStreams } from './sfu-gateway.js';
import { SfuTestDevice } from './sfu-test-client.js';

describe('toStreams', () => {
  it('names Janus subscriber m-lines by participant index (keeping the publisher\'s mid) and drops data and inactive ones', () => {
    expect(
      toStreams([
        { mid: '0', type: 'audio', feed_id: 1, feed_mid: '0' },
        { mid: '1', type: 'video', feed_id: 1, feed_mid: '1' },
        { mid: '2', type: 'video', feed_id: 3, active: false },
        { mid: '3', type: 'data' },
      ]),
    ).toEqual([
      { mid: '0', participant: 0, kind: 'audio', feedMid: '0' },
      { mid: '1', participant: 0, kind: 'video', feedMid: '1' },
    ]);
  });

  it('says which track an m-line carries when the publisher named it, and ignores names it does not know', () => {
    expect(
      toStreams([
        { mid: '0', type: 'video', feed_id: 2, feed_mid: '1', feed_description: 'camera' },
        { mid: '1', type: 'video', feed_id: 2, feed_mid: '2', feed_description: 'screen' },
        { mid: '2', type: 'audio', feed_id: 2, feed_mid: '3', feed_description: 'screen-audio' },
        { mid: '3', type: 'audio', feed_id: 2, feed_mid: '0', feed_description: 'something else' },
      ]).map(({ mid, source }) => [mid, source]),
    ).toEqual([
      ['0', 'camera'],
      ['1', 'screen'],
      ['2', 'screen-audio'],
      ['3', undefined],
    ]);
  });
});

describe('offeredMids', () => {
  it('lists the m-lines of an offer that send, not the rejected or inactive ones', () => {
    const sdp = [
      'v=0',
      'o=- 1 2 IN IP4 127.0.0.1',
      's=-',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:0',
      'a=sendonly',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:1',
      'a=sendonly',
      'm=video 0 UDP/TLS/RTP/SAVPF 96',
      'a=mid:2',
      'm=audio 9 UDP/TLS/RTP/SAVPF 111',
      'a=mid:3',
      'a=inactive',
      'm=video 9 UDP/TLS/RTP/SAVPF 96',
      'a=mid:4',
      'a=sendonly',
      '',
    ].join('\r\n');
    expect(offeredMids(sdp)).toEqual(['0', '1', '4']);
  });

  it('lists an m-line Firefox added in a renegotiation: port 0, but bundle-only, and sending', () => {
    const sdp = [
      'v=0',
      'o=mozilla...THIS_IS_SDPARTA-153.0 1 1 IN IP4 0.0.0.0',
      's=-',
      'a=group:BUNDLE 0 1 2',
      'm=audio 49716 UDP/TLS/RTP/SAVPF 109',
      'a=sendonly',
      'a=mid:0',
      'm=video 0 UDP/TLS/RTP/SAVPF 120',
      'a=bundle-only',
      'a=sendonly',
      'a=mid:1',
      'm=audio 0 UDP/TLS/RTP/SAVPF 109',
      'a=sendonly',
      'a=mid:2',
      '',
    ].join('\r\n');
    expect(offeredMids(sdp)).toEqual(['0', '1']);
  });
});

describe('the SFU gateway', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let storage: SqliteStorage;

  beforeEach(async () => {
    folder = await tempFolder();
    storage = new SqliteStorage({ dataDir: folder.path, clock: new ManualClock(0) });
    await storage.open();
  });
  afterEach(async () => {
    await storage.close();
    await folder.remove();
  });

  it('rate-limits a device and answers ops on calls it did not join with typed errors, in order', async () => {
    const clock = new ManualClock(0);
    const calls = new GroupCalls({
      storage,
      rooms: {
        available: () => true,
        createRoom: async () => 'ws://janus',
        destroyRoom: async () => undefined,
        setTokenAllowed: async () => undefined,
        adjustLoad: () => undefined,
      },
      secrets: RoomSecrets.fromDataDir(folder.path),
      clock,
      log: pino({ level: 'silent' }),
      emptyCallTimeoutMs: 60_000,
    });
    const gateway = new SfuGateway({
      calls,
      rooms: { attach: async () => Promise.reject(new SfuError('sfu_unavailable', 'no janus in this test')) },
      notify: () => undefined,
      limiter: new RateLimiter({ burst: 4, perSecond: 1 }, clock),
      log: pino({ level: 'silent' }),
      disconnectGraceMs: 10,
    });
    const replies: SfuResultFrame[] = [];
    const reply = (frame: ServerFrame) => void replies.push(frame as SfuResultFrame);
    const alice = { userId: 'alice', deviceId: 1 };
    const { callId } = await calls.create(alice, ['bob']);
    gateway.handle(alice, { t: 'sfu', id: '1', request: { op: 'publish', callId, jsep: { type: 'offer', sdp: 'v=0' } } }, reply);
    gateway.handle(alice, { t: 'sfu', id: '2', request: { op: 'leave', callId: 'nope' } }, reply);
    gateway.handle({ userId: 'mallory', deviceId: 1 }, { t: 'sfu', id: '3', request: { op: 'join', callId } }, reply);
    gateway.handle(alice, { t: 'sfu', id: '4', request: { op: 'join', callId } }, reply);
    gateway.handle(alice, { t: 'sfu', id: '5', request: { op: 'trickle', callId, pc: 'publisher', candidate: null } }, reply);
    gateway.handle(alice, { t: 'sfu', id: '6', request: { op: 'leave', callId } }, reply);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(replies.map((r) => [r.ref, r.code])).toEqual([
      ['6', 'rate_limited'],
      ['3', 'not_invited'],
      ['1', 'not_joined'],
      ['2', 'call_not_found'],
      // The join reached the registry, then Janus was unreachable: its presence was taken back.
      ['4', 'sfu_unavailable'],
      ['5', 'not_joined'],
    ]);
    expect(await calls.participants(callId)).toEqual([]);
  });
});

describe('sfu frames on a server without Janus', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it('are answered sfu_unavailable, and the log says once how to install Janus', async () => {
    folder = await tempFolder();
    const log: string[] = [];
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        log.push(String(chunk));
        done();
      },
    });
    server = createParleyServer(
      testConfig(folder.path, { janus: { mode: 'off', notInstalled: true }, logLevel: 'info', logDestination }),
    );
    const { api } = await server.start();
    expect(log.filter((line) => line.includes('apt-get install janus'))).toHaveLength(1);
    const device = await SfuTestDevice.connect(api, (await registerAccount(api, 'alice')).token);
    expect(await device.request({ op: 'create', invitees: ['bob'] })).toMatchObject({ ok: false, code: 'sfu_unavailable' });
    device.close();
  });
});
