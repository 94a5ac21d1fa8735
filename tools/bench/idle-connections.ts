/**
 * `npm run bench`, issue 22: memory per idle connection. Opens N authenticated relay WebSockets
 * (BENCH_IDLE_CONNECTIONS, default 5,000), one per device, to one server node and leaves them
 * idle; reports the node's resident memory and V8 heap per connection (after a full GC, growth
 * from N/2 to N connections), this client process's separately, and Redis's memory per connected
 * device (its presence key). The node runs as one of a scale-out deployment: on a scratch
 * PostgreSQL and Redis, with the rate limits and connection caps off (one address opens every
 * socket), no Janus, no app origins served. Printed, not asserted; apps/server/SCALE.md uses the figures.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChildServer, startScratchPostgres, startScratchRedis } from '@parley/server/testing';
import type { WebSocket } from 'ws';
import { createBenchAccounts } from './bench-accounts.js';
import { openSocket, pool, sleep } from './relay-load.js';

const CONNECTIONS = Number(process.env.BENCH_IDLE_CONNECTIONS ?? 5_000);

/** Loaded into the server: every 500 ms a full GC, then its memory written where the bench reads it. */
const MEMORY_PROBE = `
import { renameSync, writeFileSync } from 'node:fs';
const file = process.env.BENCH_MEMORY_FILE;
setInterval(() => {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  writeFileSync(file + '.tmp', JSON.stringify(usage));
  renameSync(file + '.tmp', file);
}, 500).unref();
`;

interface Memory {
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Redis's `used_memory` (bytes), read with redis-cli on its unix socket. */
function redisUsedMemory(url: string): number {
  const info = spawnSync('redis-cli', ['-s', url.slice('unix:'.length), 'info', 'memory'], { encoding: 'utf8' }).stdout;
  return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? Number.NaN);
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The server's memory once the probe wrote twice more (so after at least one full GC from now). */
async function serverMemory(file: string): Promise<Memory> {
  await sleep(1_200);
  return JSON.parse(readFileSync(file, 'utf8')) as Memory;
}

function clientMemory(): Memory {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-bench-idle-'));
  const probe = join(dir, 'memory-probe.mjs');
  writeFileSync(probe, MEMORY_PROBE);
  const memoryFile = join(dir, 'server-memory.json');
  const dataDir = join(dir, 'data');
  const postgres = await startScratchPostgres();
  const redis = await startScratchRedis();
  const server = await startChildServer(
    dataDir,
    {
      PARLEY_DATABASE_URL: await postgres.createDatabase(),
      PARLEY_REDIS_URL: redis.url,
      PARLEY_RATE_LIMITS: 'off',
      PARLEY_JANUS: 'off',
      PARLEY_LOG_LEVEL: 'error',
      PARLEY_SHELL_DIST: '/nonexistent',
      PARLEY_CHAT_DIST: '/nonexistent',
      PARLEY_CALL_DIST: '/nonexistent',
      BENCH_MEMORY_FILE: memoryFile,
    },
    { nodeArgs: ['--expose-gc', '--import', probe], stderr: 'inherit' },
  );
  const sockets: WebSocket[] = [];
  try {
    console.log(`Idle relay connections: ${CONNECTIONS} devices, each one authenticated WebSocket to one node (PostgreSQL + Redis), then idle`);
    const devices = await createBenchAccounts(server.addresses.api, CONNECTIONS, 'idle');
    const url = `${server.addresses.api.replace('http', 'ws')}/ws`;
    const connect = (from: number, to: number) =>
      pool(to - from, 50, async (offset) => {
        const socket = await openSocket(url);
        await new Promise<void>((resolve, reject) => {
          socket.once('message', (data) => ((JSON.parse(String(data)) as { t: string }).t === 'ready' ? resolve() : reject(new Error(String(data)))));
          socket.send(JSON.stringify({ t: 'auth', token: devices[from + offset]!.token }));
        });
        sockets.push(socket);
      });
    // Measured over the second half: the first half's garbage and the heap pages the account
    // creation left resident no longer count, so the growth is what the connections keep.
    const half = Math.floor(CONNECTIONS / 2);
    const started = performance.now();
    await connect(0, half);
    await sleep(1_000);
    const redisHalf = redisUsedMemory(redis.url);
    const serverHalf = await serverMemory(memoryFile);
    const clientHalf = clientMemory();
    await connect(half, CONNECTIONS);
    const seconds = (performance.now() - started) / 1000;
    // Idle: no frame but the server's own; let what connecting allocated settle.
    await sleep(2_000);
    const serverAfter = await serverMemory(memoryFile);
    const clientAfter = clientMemory();
    const redisAfter = redisUsedMemory(redis.url);
    const added = CONNECTIONS - half;
    console.log(`  connected and authenticated ${CONNECTIONS} in ${seconds.toFixed(1)} s (${Math.round(CONNECTIONS / seconds)}/s, 50 at a time)`);
    console.log(`                     at ${half}        at ${CONNECTIONS}       per connection`);
    for (const [name, before, after] of [
      ['server RSS', serverHalf.rss, serverAfter.rss],
      ['server V8 heap', serverHalf.heapUsed, serverAfter.heapUsed],
      ['server off-heap', serverHalf.external + serverHalf.arrayBuffers, serverAfter.external + serverAfter.arrayBuffers],
      ['client RSS', clientHalf.rss, clientAfter.rss],
      ['client V8 heap', clientHalf.heapUsed, clientAfter.heapUsed],
      ['Redis used_memory', redisHalf, redisAfter],
    ] as const) {
      console.log(`  ${name.padEnd(18)} ${mib(before).padStart(11)} ${mib(after).padStart(12)} ${kib((after - before) / added).padStart(14)}`);
    }
    console.log(`  server at ${CONNECTIONS}: RSS ${mib(serverAfter.rss)}, heap ${mib(serverAfter.heapUsed)} (kernel socket buffers are not in RSS)`);
  } finally {
    for (const socket of sockets) socket.terminate();
    server.process.kill('SIGTERM');
    await server.exited;
    await redis.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
