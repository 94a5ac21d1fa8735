/**
 * Fuzzing the relay: at least 10,000 random and mutated frames from a printed seed (FUZZ_SEED=…
 * replays a run) against a real server. Passes with 0 crashes (no uncaught error, no error log
 * line), 0 leaked connections (no server-side socket left once the clients closed), every
 * connection closed with the code its input calls for (RELAY_CLOSE: badFrame for bytes that are
 * not a JSON frame, authFailed for a first frame that is not a valid auth; the client's own close
 * otherwise), and the server still answering health and a fresh client.
 */
import { Writable } from 'node:stream';
import { RELAY_CLOSE, RELAY_PATH } from '@parley/contracts';
import { seededRandom as random } from '@parley/rollout/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ParleyServer, createParleyServer } from '../create-server.js';
import { TestIdentity } from '../testing/test-keys.js';
import { TestApi, type TestDevice, TestRelayClient, tempFolder, testConfig } from '../testing/test-support.js';

const FRAMES = 10_000;
const CONNECTIONS = 8;
/** What the client sees when it closed first: 1005 (no status; `ws` closes without a code) or 1000. */
const CLIENT_CLOSED = [1000, 1005];

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
    // One device per worker for the signed-in connections, so none replaces another (4003).
    const workerDevices: TestDevice[] = [];
    for (let i = 0; i < CONNECTIONS; i++) workerDevices.push(await http.register(new TestIdentity().account(`fuzz.w${i}`, 0)));

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
      frames: Array<string | Buffer>;
    }
    const scripts: Script[] = [];
    let frames = 0;
    while (frames < FRAMES) {
      // Most connections sign in first; some start with fuzz (the auth path is fuzzed too).
      const script: Script = { signedIn: rand() < 0.9, frames: [] };
      for (let i = 0; i < 400 && frames < FRAMES; i++) {
        const text = frameText();
        script.frames.push(text);
        frames += 1;
        // Past a frame the server closes on, nothing more would reach it.
        if (!script.signedIn || fatal(text)) break;
      }
      scripts.push(script);
    }

    /**
     * The close codes a connection may end with. Signed in: badFrame if its last frame is not JSON
     * text, else the client's own close. Not signed in (its one frame is the first): badFrame for
     * bytes that are not JSON, authFailed for anything else but a valid auth; after a valid auth
     * (it got `ready`) the client's close, or replaced: other scripts may sign in as the same device.
     */
    const expectedCloses = (script: Script, ready: boolean): number[] => {
      if (script.signedIn) return fatal(script.frames.at(-1)!) ? [RELAY_CLOSE.badFrame] : CLIENT_CLOSED;
      if (fatal(script.frames[0]!)) return [RELAY_CLOSE.badFrame];
      return ready ? [...CLIENT_CLOSED, RELAY_CLOSE.replaced] : [RELAY_CLOSE.authFailed];
    };
    const wrongCloses: string[] = [];
    const closeCounts = new Map<number, number>();

    let next = 0;
    const worker = async (w: number) => {
      while (next < scripts.length) {
        const index = next++;
        const script = scripts[index]!;
        const client = await TestRelayClient.connect(api, RELAY_PATH);
        let ready = false;
        client.socket.on('message', (data) => {
          if ((JSON.parse(String(data)) as { t?: string }).t === 'ready') ready = true;
        });
        if (script.signedIn) {
          // Fuzz starts once signed in: frames piled up behind the auth frame are a case of their own.
          client.send({ t: 'auth', token: workerDevices[w]!.token });
          await client.until('ready');
        }
        for (const [i, text] of script.frames.entries()) {
          if (typeof text === 'string') client.send(text);
          else client.socket.send(text, { binary: true });
          if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
        }
        // Give the server the chance to close on the last frame before the client closes.
        await Promise.race([client.closed, new Promise((resolve) => setTimeout(resolve, 20))]);
        client.close();
        const { code } = await client.closed;
        closeCounts.set(code, (closeCounts.get(code) ?? 0) + 1);
        const expected = expectedCloses(script, ready);
        if (!expected.includes(code)) {
          const last = script.frames.at(-1)!;
          wrongCloses.push(`connection ${index} (${script.signedIn ? 'signed in' : 'not signed in'}, last frame ${typeof last === 'string' ? JSON.stringify(last.slice(0, 80)) : 'binary'}): closed ${code}, expected ${expected.join(' or ')}`);
        }
      }
    };
    await Promise.all(Array.from({ length: CONNECTIONS }, (_, w) => worker(w)));
    const connections = scripts.length;

    // Every server-side socket is gone once the clients closed.
    for (let i = 0; i < 100 && server.openRelaySockets() > 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const leaked = server.openRelaySockets();
    const health = await fetch(`${api}/api/health`);
    const fresh = await TestRelayClient.signedIn(api, RELAY_PATH, devices[1]!.token);
    await fresh.settle();
    fresh.close();
    console.log(`relay fuzz: ${frames} frames over ${connections} connections, ${errorLines.length} error log lines, ${leaked} leaked sockets, closes ${JSON.stringify(Object.fromEntries(closeCounts))}`);

    expect(frames).toBeGreaterThanOrEqual(FRAMES);
    expect(leaked).toBe(0);
    expect(health.status).toBe(200);
    expect(errorLines).toEqual([]);
    expect(wrongCloses).toEqual([]);
    // Each kind of ending happened (a run that closed nothing with badFrame would prove little).
    for (const code of [RELAY_CLOSE.badFrame, RELAY_CLOSE.authFailed]) expect(closeCounts.get(code) ?? 0).toBeGreaterThan(0);
  });
});
