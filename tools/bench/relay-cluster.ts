/**
 * `npm run bench`, issue 22: the relay on SQLite (one node), on PostgreSQL (one node), and on
 * PostgreSQL + Redis (two nodes, every pair spanning both: client i is on node i % 2 and writes to
 * client i + 1, on the other node). For each: messages per second at saturation (closed loop),
 * p50/p99 delivery latency at a fixed rate (open loop), and CPU-seconds per 1,000 messages of every
 * process — the nodes, PostgreSQL (postmaster and backends), Redis and this load generator. On a
 * two-core machine a second node cannot add throughput; the CPU columns say where it goes.
 * Goals (issue 22): PostgreSQL one node ≥ 0.5× SQLite; p99 < 50 ms at 2,000 msg/s on two nodes.
 * Printed, not asserted. The scratch PostgreSQL runs with fsync on, as the server requires.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toBase64 } from '@parley/bytes';
import { type ChildServer, type ScratchPostgres, type ScratchRedis, startChildServer, startScratchPostgres, startScratchRedis } from '@parley/server/testing';
import { IdentityKeyPair, KEMKeyPair, PrivateKey } from '@signalapp/libsignal-client';
import type { WebSocket } from 'ws';
import { type LoadShape, Load, cpuSeconds, openSocket, pool, sleep } from './relay-load.js';

const SHAPE: LoadShape = {
  clients: Number(process.env.BENCH_CLUSTER_CLIENTS ?? 200),
  window: Number(process.env.BENCH_WINDOW ?? 4),
  durationMs: Number(process.env.BENCH_DURATION_MS ?? 5_000),
  warmupMs: 1_000,
};
const PACED_RATE = Number(process.env.BENCH_PACED_RATE ?? 2_000);
const PACED_MS = 3_000;
const PAYLOAD_BYTES = 256;
const ALL_SETUPS = ['sqlite', 'postgres', 'postgres+redis'] as const;
/** `BENCH_SETUPS=postgres,postgres+redis` runs only those (when profiling one); default all three. */
const SETUPS = (process.env.BENCH_SETUPS?.split(',') ?? ALL_SETUPS) as Array<(typeof ALL_SETUPS)[number]>;

/** A way to run the relay: its node processes and the engines beside them. */
interface Setup {
  readonly name: string;
  readonly nodes: ChildServer[];
  /** Processes whose CPU is reported, by name, read when measuring starts and ends. */
  readonly processes: () => Record<string, number[]>;
  stop(): Promise<void>;
}

async function startSetup(kind: 'sqlite' | 'postgres' | 'postgres+redis'): Promise<Setup> {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-cluster-'));
  let postgres: ScratchPostgres | null = null;
  let redis: ScratchRedis | null = null;
  const env: Record<string, string> = { PARLEY_RATE_LIMITS: 'off', PARLEY_JANUS: 'off' };
  if (kind !== 'sqlite') {
    postgres = await startScratchPostgres();
    env.PARLEY_DATABASE_URL = await postgres.createDatabase();
  }
  if (kind === 'postgres+redis') {
    redis = await startScratchRedis();
    env.PARLEY_REDIS_URL = redis.url;
  }
  const options = { nodeArgs: ['--max-semi-space-size=64'], stderr: 'inherit' as const };
  const first = await startChildServer(dataDir, env, options);
  const nodes = [first];
  if (kind === 'postgres+redis') nodes.push(await startChildServer(dataDir, env, options));
  return {
    name: kind === 'sqlite' ? 'SQLite, 1 node' : kind === 'postgres' ? 'PostgreSQL, 1 node' : 'PostgreSQL + Redis, 2 nodes',
    nodes,
    processes: () => ({
      ...Object.fromEntries(nodes.map((node, i) => [`node ${'AB'[i]}`, [node.process.pid!]])),
      ...(postgres ? { PostgreSQL: postgres.processIds() } : {}),
      ...(redis ? { Redis: [redis.processId()] } : {}),
    }),
    async stop() {
      for (const node of nodes) {
        node.process.kill('SIGTERM');
        await node.exited;
      }
      await redis?.stop();
      await postgres?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One identity signs every bench account's keys: the server checks signatures, not uniqueness. */
function accountBody(i: number, identity: IdentityKeyPair) {
  const ec = PrivateKey.generate().getPublicKey().serialize();
  const kem = KEMKeyPair.generate().getPublicKey().serialize();
  const sign = (bytes: Uint8Array<ArrayBuffer>) => toBase64(identity.privateKey.sign(bytes));
  return {
    handle: `cluster.${i}`,
    displayName: `Cluster ${i}`,
    identityKey: toBase64(identity.publicKey.serialize()),
    device: {
      registrationId: 1 + i,
      signedPreKey: { keyId: 1, publicKey: toBase64(ec), signature: sign(ec) },
      kyberLastResortPreKey: { keyId: 2, publicKey: toBase64(kem), signature: sign(kem) },
      oneTimePreKeys: [],
      kyberOneTimePreKeys: [],
    },
  };
}

interface Figures {
  readonly messagesPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU-seconds per 1,000 messages, per process name (and the load generator). */
  readonly cpuPerThousand: Record<string, number>;
}

async function measure(setup: Setup): Promise<Figures> {
  const identity = IdentityKeyPair.generate();
  const devices: Array<{ userId: string; token: string }> = [];
  await pool(SHAPE.clients, 8, async (i) => {
    const response = await fetch(`${setup.nodes[0]!.addresses.api}/api/accounts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(accountBody(i, identity)),
    });
    if (response.status !== 201) throw new Error(`account creation answered ${response.status}`);
    devices[i] = (await response.json()) as { userId: string; token: string };
  });
  const sockets: WebSocket[] = [];
  await pool(SHAPE.clients, 25, async (i) => {
    const node = setup.nodes[i % setup.nodes.length]!;
    const socket = await openSocket(`${node.addresses.api.replace('http', 'ws')}/ws`);
    await new Promise<void>((resolve, reject) => {
      socket.once('message', (data) => ((JSON.parse(String(data)) as { t: string }).t === 'ready' ? resolve() : reject(new Error(String(data)))));
      socket.send(JSON.stringify({ t: 'auth', token: devices[i]!.token }));
    });
    sockets[i] = socket;
  });
  await sleep(500);

  const payload = toBase64(randomBytes(PAYLOAD_BYTES));
  let counter = 0;
  const load = new Load(
    (client) => {
      const id = `${client}-${counter++}`;
      sockets[client]!.send(JSON.stringify({ t: 'send', id, to: devices[(client + 1) % SHAPE.clients]!.userId, messages: [{ deviceId: 1, type: 2, ciphertext: payload }] }));
      return id;
    },
    setup.nodes.map((node) => node.process.pid!),
    SHAPE,
  );
  sockets.forEach((socket) =>
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { t: string; id: string; messageId: string };
      if (frame.t !== 'deliver') return;
      socket.send(JSON.stringify({ t: 'ack', id: frame.id }));
      load.complete(frame.messageId, Number(frame.messageId.split('-')[0]));
    }),
  );
  const paced = await load.runPaced(PACED_RATE, PACED_MS);

  // CPU of every process over exactly the measured window of the closed-loop run.
  // The first pid of each group is its parent: with the CPU of its children it reaped, a child that
  // ends within the window (a PostgreSQL autovacuum worker, a backend) is still counted, and never
  // counted negative.
  const cpuOf = ([parent, ...children]: number[]) => (reapedCpu(parent!) ?? 0) + [parent!, ...children].reduce((sum, pid) => sum + (tryCpu(pid) ?? 0), 0);
  let before: Record<string, number> = {};
  let after: Record<string, number> = {};
  let generatorBefore = process.cpuUsage();
  let generator = 0;
  const saturated = await load.run({
    start() {
      before = Object.fromEntries(Object.entries(setup.processes()).map(([name, pids]) => [name, cpuOf(pids)]));
      generatorBefore = process.cpuUsage();
    },
    end() {
      after = Object.fromEntries(Object.entries(setup.processes()).map(([name, pids]) => [name, cpuOf(pids)]));
      const used = process.cpuUsage(generatorBefore);
      generator = (used.user + used.system) / 1e6;
    },
  });
  for (const socket of sockets) socket.terminate();
  const perThousand = (seconds: number) => (seconds / saturated.completed) * 1_000;
  return {
    messagesPerSecond: saturated.messagesPerSecond,
    p50: paced.p50,
    p99: paced.p99,
    cpuPerThousand: {
      ...Object.fromEntries(Object.keys(after).map((name) => [name, perThousand(after[name]! - (before[name] ?? 0))])),
      'load generator': perThousand(generator),
    },
  };
}

/** CPU-seconds of the children `pid` waited for (cutime + cstime), or undefined when it is gone. */
function reapedCpu(pid: number): number | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** A process's CPU-seconds, or undefined when it is gone (a PostgreSQL backend that ended). */
function tryCpu(pid: number): number | undefined {
  try {
    return cpuSeconds(pid);
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  console.log(
    `Relay on one and two nodes: ${SHAPE.clients} clients, ${SHAPE.window} in flight each, ${PAYLOAD_BYTES}-byte ciphertext, ` +
      `${SHAPE.durationMs / 1000} s at saturation, latency at ${PACED_RATE} msg/s`,
  );
  const results: Array<[string, Figures]> = [];
  for (const kind of SETUPS) {
    const setup = await startSetup(kind);
    try {
      results.push([setup.name, await measure(setup)]);
    } finally {
      await setup.stop();
    }
  }
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log();
  console.log('| setup | msg/s | p50 | p99 | CPU-s per 1,000 messages |');
  console.log('|---|---|---|---|---|');
  for (const [name, figures] of results) {
    const cpu = Object.entries(figures.cpuPerThousand).map(([process, seconds]) => `${process} ${seconds.toFixed(3)}`).join(', ');
    console.log(`| ${name} | ${figures.messagesPerSecond.toFixed(0)} | ${ms(figures.p50)} | ${ms(figures.p99)} | ${cpu} |`);
  }
  if (results.length < ALL_SETUPS.length) return;
  const [sqlite, postgres, twoNodes] = results.map(([, figures]) => figures);
  const ratio = postgres!.messagesPerSecond / sqlite!.messagesPerSecond;
  console.log();
  console.log(
    `PostgreSQL one node / SQLite: ${ratio.toFixed(2)}× (goal ≥ 0.5×, ${ratio >= 0.5 ? 'met' : 'NOT met'}); ` +
      `two nodes p99 at ${PACED_RATE} msg/s: ${ms(twoNodes!.p99)} (goal < 50 ms, ${twoNodes!.p99 < 50 ? 'met' : 'NOT met'}).`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
