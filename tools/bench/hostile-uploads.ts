/**
 * `npm run bench` (hardening): does a hostile key upload stall the relay for everyone else?
 *
 * The real server runs in its own process with its production rate limits. Attacker devices PUT
 * /api/keys as fast as their rate limit lets them (10 a second each, after a burst of 60), every
 * body holding 100 Kyber one-time prekeys whose signatures carry a non-canonical scalar (s + ℓ,
 * which libsignal accepts and only a hostile client makes); honest devices upload real bodies at
 * the same rate. Meanwhile two honest users exchange relay messages and pings, and the bench
 * records what they wait: send → delivered at the other user, and ping → pong.
 *
 * Goal (hardening issue): the relay's p99 stays under 50 ms while adversarial and honest bodies
 * are uploaded at the rate limit. Printed, not asserted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { startChildServer } from '@parley/server/testing';
import { TestIdentity, withNonCanonicalScalar } from '../../apps/server/src/testing/test-keys.js';
import { sleep } from './bench-support.js';

const ATTACKERS = Number(process.env.BENCH_ATTACKERS ?? 4);
const HONEST_UPLOADERS = Number(process.env.BENCH_HONEST_UPLOADERS ?? 2);
const KEYS_PER_BODY = 100;
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 10_000);
/** Relay messages and pings per second between the two honest users. */
const PROBE_RATE = 20;

interface Device {
  userId: string;
  deviceId: number;
  token: string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function register(api: string, identity: TestIdentity, handle: string): Promise<Device> {
  const response = await fetch(`${api}/api/accounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(identity.account(handle, 1)) });
  if (response.status !== 201) throw new Error(`registering ${handle}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Device;
}

/** A key upload body of KEYS_PER_BODY Kyber prekeys: honest, or with every signature made non-canonical. */
function uploadBody(identity: TestIdentity, hostile: boolean): string {
  const keys = Array.from({ length: KEYS_PER_BODY }, () => identity.kyberPreKey());
  return JSON.stringify({ kyberOneTimePreKeys: hostile ? keys.map((key) => ({ ...key, signature: withNonCanonicalScalar(key.signature) })) : keys });
}

/** PUTs `body` as often as the server allows until `until`; counts answers by status. */
async function uploadLoop(api: string, device: Device, body: string, until: number, statuses: Map<number, number>): Promise<void> {
  while (Date.now() < until) {
    const response = await fetch(`${api}/api/keys`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` }, body });
    await response.arrayBuffer();
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    // Refused for the rate: try again soon, as an attacker would, without spinning.
    if (response.status === 429) await sleep(100);
  }
}

function connect(api: string, token: string): Promise<{ socket: WebSocket; frames: (handler: (frame: { t: string; [k: string]: unknown }) => void) => void }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${api.replace(/^http/, 'ws')}/ws`, { perMessageDeflate: false });
    const handlers: Array<(frame: { t: string }) => void> = [];
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { t: string };
      if (frame.t === 'ready') resolve({ socket, frames: (handler) => handlers.push(handler) });
      for (const handler of handlers) handler(frame);
    });
    socket.once('open', () => socket.send(JSON.stringify({ t: 'auth', token })));
    socket.once('error', reject);
  });
}

/** Runs the probes (relay messages A → B, pings from A) for `ms`; returns their latencies. */
async function probe(alice: Device, bob: Device, api: string, ms: number): Promise<{ relay: number[]; ping: number[] }> {
  const a = await connect(api, alice.token);
  const b = await connect(api, bob.token);
  const sentAt = new Map<string, number>();
  const relay: number[] = [];
  const ping: number[] = [];
  let pingSentAt = 0;
  b.frames((frame) => {
    if (frame.t !== 'deliver') return;
    const started = sentAt.get(frame.messageId as string);
    if (started !== undefined) relay.push(performance.now() - started);
    b.socket.send(JSON.stringify({ t: 'ack', id: frame.id }));
  });
  a.frames((frame) => {
    if (frame.t === 'pong') ping.push(performance.now() - pingSentAt);
  });
  const ciphertext = Buffer.alloc(256, 7).toString('base64');
  let n = 0;
  const timer = setInterval(() => {
    const id = `probe-${n++}`;
    sentAt.set(id, performance.now());
    a.socket.send(JSON.stringify({ t: 'send', id, to: bob.userId, messages: [{ deviceId: bob.deviceId, type: 2, ciphertext }] }));
    pingSentAt = performance.now();
    a.socket.send(JSON.stringify({ t: 'ping' }));
  }, 1000 / PROBE_RATE);
  await sleep(ms);
  clearInterval(timer);
  await sleep(300);
  a.socket.close();
  b.socket.close();
  return { relay, ping };
}

async function scenario(name: string, hostile: boolean): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-hostile-'));
  const server = await startChildServer(dataDir, { PARLEY_JANUS: 'off', PARLEY_LOG_LEVEL: 'error', PARLEY_SHELL_DIST: '/nonexistent', PARLEY_CHAT_DIST: '/nonexistent', PARLEY_CALL_DIST: '/nonexistent' });
  const api = server.addresses.api;
  try {
    const alice = await register(api, new TestIdentity(), 'alice');
    const bob = await register(api, new TestIdentity(), 'bob');
    const uploaders: Array<{ device: Device; body: string }> = [];
    for (let i = 0; i < HONEST_UPLOADERS; i++) {
      const identity = new TestIdentity();
      uploaders.push({ device: await register(api, identity, `honest${i}`), body: uploadBody(identity, false) });
    }
    if (hostile) {
      for (let i = 0; i < ATTACKERS; i++) {
        const identity = new TestIdentity();
        uploaders.push({ device: await register(api, identity, `mallory${i}`), body: uploadBody(identity, true) });
      }
    }
    const statuses = new Map<number, number>();
    const until = Date.now() + DURATION_MS;
    const uploads = Promise.all(uploaders.map(({ device, body }) => uploadLoop(api, device, body, until, statuses)));
    const { relay, ping } = await probe(alice, bob, api, DURATION_MS);
    await uploads;
    const answers = [...statuses].sort(([a], [b]) => a - b).map(([status, count]) => `${count}×${status}`).join(' ');
    console.log(
      `| ${name} | ${answers} | ${percentile(relay, 50).toFixed(1)} / ${percentile(relay, 99).toFixed(1)} ms (${relay.length}) | ${percentile(ping, 50).toFixed(1)} / ${percentile(ping, 99).toFixed(1)} ms |`,
    );
  } finally {
    server.process.kill('SIGTERM');
    await server.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(`key uploads of ${KEYS_PER_BODY} Kyber prekeys at the rate limit, ${DURATION_MS / 1000} s; relay probes at ${PROBE_RATE}/s`);
  console.log('| uploads | answers (count×status) | relay send → deliver p50 / p99 | ping → pong p50 / p99 |');
  console.log('|---|---|---|---|');
  await scenario(`${HONEST_UPLOADERS} honest devices`, false);
  await scenario(`${HONEST_UPLOADERS} honest + ${ATTACKERS} hostile devices`, true);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
