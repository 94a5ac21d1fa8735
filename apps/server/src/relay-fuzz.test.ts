/**
 * Fuzzing the relay: at least 10,000 random and mutated frames from a printed seed (FUZZ_SEED=…
 * replays a run) against a real server. Passes with 0 crashes (no uncaught error, no error log
 * line), 0 leaked connections (no server-side socket left once the clients closed) and the server
 * still answering health and a fresh client.
 */
import { Writable } from 'node:stream';
import { RELAY_PATH } from '@parley/contracts';
import { seededRandom as random } from '@parley/rollout/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from './create-server.js';
import { TestIdentity } from './test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, tempFolder, testConfig } from './test-support.js';

const FRAMES = 10_000;
const CONNECTIONS = 8;

describe('relay fuzzing', () => {
  let folder: Awaited<ReturnType<typeof tempFolder>>;
  let server: ParleyServer;
  const errorLines: string[] = [];

  beforeEach(async () => {
    folder = await tempFolder({ inMemory: true });
    const logDestination = new Writable({
      write(chunk, _encoding, done) {
        const line = String(chunk);
        if ((JSON.parse(line) as { level: number }).level >= 50) errorLines.push(line);
        done();
      },
    });
    server = createParleyServer(testConfig(folder.path, { logLevel: 'warn', logDestination, relayAuthTimeoutMs: 1_000 }));
  });
  afterEach(async () => {
    await server.stop();
    await folder.remove();
  });

  it(`survives ${FRAMES} random and mutated frames`, { timeout: 45_000 }, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
    console.log(`relay fuzz seed ${seed} (replay with FUZZ_SEED=${seed})`);
    const rand = random(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
    const int = (max: number) => Math.floor(rand() * max);

    const { api } = await server.start();
    const http = new TestApi(api);
    const devices: TestDevice[] = [];
    for (const handle of ['fuzz.a', 'fuzz.b', 'fuzz.c']) devices.push(await http.register(new TestIdentity().account(handle, 0)));
    const userIds = devices.map((d) => d.userId);

    const b64 = () => Buffer.from(Array.from({ length: 1 + int(64) }, () => int(256))).toString('base64');
    const validFrames = (): unknown[] => [
      { t: 'ping' },
      { t: 'ack', id: String(1 + int(500)) },
      { t: 'send', id: `f-${int(1e6)}`, to: pick(userIds), messages: [{ deviceId: 1, type: pick([2, 3]), ciphertext: b64() }] },
      { t: 'send', id: `f-${int(50)}`, to: pick(userIds), messages: [{ deviceId: 1 + int(3), type: 2, ciphertext: b64() }, { deviceId: 2, type: 3, ciphertext: b64() }] },
      { t: 'auth', token: devices[0]!.token },
    ];
    const weird: unknown[] = [
      null, true, 0, -1, 1e308, 'string', [], {}, { t: null }, { t: 'send' }, { t: 'ack' }, { t: 'ack', id: '' }, { t: 'ack', id: 'x'.repeat(200) },
      { t: 'ack', id: '00001' }, { t: 'ack', id: '99999999999999999999' }, { t: 'send', id: 'x', to: '', messages: {} },
      { t: 'send', id: 'x', to: 'y', messages: Array.from({ length: 65 }, () => ({ deviceId: 1, type: 2, ciphertext: 'AAAA' })) },
      { t: 'send', id: 'x', to: 'y', messages: [{ deviceId: 0, type: 2, ciphertext: 'AAAA' }] },
      { t: 'send', id: 'x', to: 'y', messages: [{ deviceId: 1.5, type: 4, ciphertext: '====' }] },
      { __proto__: { t: 'ping' } }, JSON.parse('{"__proto__": {"t": "ping"}, "constructor": {"prototype": {"x": 1}}}'),
      { t: 'ping', t2: 'ping', nested: { deep: [[[[[[[[[[[]]]]]]]]]]] } }, { t: '\u0000' }, { t: 'ping'.repeat(1000) },
    ];
    /** A valid frame with one value replaced by something of another type or size. */
    const structural = (): string => {
      const frame = pick(validFrames()) as Record<string, unknown>;
      const junk = pick<unknown>([null, 0, -1, 2 ** 53, 1.5, '', 'x'.repeat(int(300)), [], {}, true, [1, 2], { t: 'ping' }, '\u0000', '💥']);
      const keys = Object.keys(frame);
      if (frame.t === 'send' && rand() < 0.5) {
        const message = (frame.messages as Array<Record<string, unknown>>)[0]!;
        message[pick(['deviceId', 'type', 'ciphertext', 'extra'])] = junk;
      } else {
        frame[rand() < 0.8 ? pick(keys) : `k${int(10)}`] = junk;
      }
      return JSON.stringify(frame);
    };
    /** A frame: valid, weird, structurally mutated, or (rarely: the server closes on them) broken bytes. */
    const frameText = (): string | Buffer => {
      const roll = rand();
      if (roll < 0.3) return JSON.stringify(pick(validFrames()));
      if (roll < 0.6) return JSON.stringify(pick(weird));
      if (roll < 0.95) return structural();
      if (roll < 0.96) return Buffer.from(Array.from({ length: int(64) }, () => int(256))); // binary
      const chars = [...JSON.stringify(pick(validFrames()))];
      for (let i = 0, n = 1 + int(4); i < n; i++) {
        const at = int(chars.length + 1);
        const op = int(4);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, String.fromCharCode(int(0x3000)));
        else if (op === 2) chars.splice(at, 0, pick(['{', '}', '"', ',', ':', '[', ']', '\\', '0', 'null', '-1e999']));
        else chars.length = Math.min(chars.length, at);
      }
      return chars.join('');
    };

    /** Whether the server closes on this frame: binary or not JSON (or anything before auth). */
    const fatal = (text: string | Buffer): boolean => {
      if (typeof text !== 'string') return true;
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    };

    // The whole run is drawn from the seed up front: the same seed sends the same connections
    // with the same frames (only the interleaving of the concurrent connections may differ).
    interface Script {
      signedIn: boolean;
      device: number;
      frames: Array<string | Buffer>;
    }
    const scripts: Script[] = [];
    let frames = 0;
    while (frames < FRAMES) {
      // Most connections sign in first; some start with fuzz (the auth path is fuzzed too).
      const script: Script = { signedIn: rand() < 0.9, device: int(devices.length), frames: [] };
      for (let i = 0; i < 400 && frames < FRAMES; i++) {
        const text = frameText();
        script.frames.push(text);
        frames += 1;
        // Past a frame the server closes on, nothing more would reach it.
        if (!script.signedIn || fatal(text)) break;
      }
      scripts.push(script);
    }

    let next = 0;
    const worker = async () => {
      while (next < scripts.length) {
        const script = scripts[next++]!;
        const client = await TestRelayClient.connect(api, RELAY_PATH);
        if (script.signedIn) client.send({ t: 'auth', token: devices[script.device]!.token });
        for (const [i, text] of script.frames.entries()) {
          if (typeof text === 'string') client.send(text);
          else client.socket.send(text, { binary: true });
          if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
        }
        client.close();
        await client.closed;
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, () => worker()));
    const connections = scripts.length;

    // Every server-side socket is gone once the clients closed.
    for (let i = 0; i < 100 && server.openRelaySockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const leaked = server.openRelaySockets();
    const health = await fetch(`${api}/api/health`);
    const fresh = await TestRelayClient.signedIn(api, RELAY_PATH, devices[1]!.token);
    await fresh.settle();
    fresh.close();
    console.log(`relay fuzz: ${frames} frames over ${connections} connections, ${errorLines.length} error log lines, ${leaked} leaked sockets`);

    expect(frames).toBeGreaterThanOrEqual(FRAMES);
    expect(leaked).toBe(0);
    expect(health.status).toBe(200);
    expect(errorLines).toEqual([]);
  });
});
