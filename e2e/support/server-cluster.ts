/**
 * Parley as several nodes (issue 22): two real server processes on one PostgreSQL (a scratch
 * cluster in a temp folder) and one Redis (a scratch redis-server on a unix socket in a temp
 * folder), behind one set of origins served by Caddy. Caddy sends a browser to node B when it
 * carries the cookie `parley-node=b` and to node A otherwise, so a test pins each person to a
 * node, and moves one by changing the cookie, the way a sticky load balancer would. Both nodes
 * share one data folder (the release files and manifest keys, as a shared volume would); every
 * other piece of state is in PostgreSQL. Janus is off unless asked for (`groupCalls`): then each
 * node runs its own, and a group call runs on the node holding its lease (sfu/call-leases.ts).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChildServer, type ScratchPostgres, type ScratchRedis, startChildServer, startScratchPostgres, startScratchRedis } from '@parley/server/testing';
import type { BrowserContext } from '@playwright/test';
import { waitFor } from './https-deployment.js';
import { DEV_MANIFEST_KEY_FILE } from './system.js';

/** The cookie Caddy routes by, and its value for each node. */
export const NODE_COOKIE = 'parley-node';
export type NodeName = 'a' | 'b';

/** One server process of the cluster. */
export interface ClusterNode {
  readonly name: NodeName;
  readonly server: ChildServer;
  /** Devices with an authenticated relay connection on this node (its `/metrics`). */
  connectedDevices(): Promise<number>;
}

export interface ServerCluster {
  /** What the browser helpers (onboard, callPerson) need: the origins Caddy serves. */
  readonly system: { readonly addresses: { shell: string; api: string; chat: string; call: string } };
  readonly nodes: Record<NodeName, ClusterNode>;
  /** Sends `context`'s requests (pages, API, relay) to `node` from now on. */
  pin(context: BrowserContext, node: NodeName): Promise<void>;
  stop(): Promise<void>;
}

/** Why the cluster cannot run here, or null when it can. */
export function serverClusterMissing(): string | null {
  for (const [binary, pkg] of [
    ['caddy', 'caddy'],
    ['redis-server', 'redis-server'],
    ['runuser', 'util-linux'],
  ] as const) {
    if (spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0) return `${binary} is not installed (\`apt-get install ${pkg}\`; CI installs it)`;
  }
  return null;
}

/** A loopback port free right now (Caddy is told its ports; it cannot report one it picked). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const hostPort = (url: string) => new URL(url).host;

/** One Caddy site: the node-B cookie goes to B's listener, anything else to A's. */
function site(port: number, a: string, b: string): string {
  return `http://:${port} {
  bind 127.0.0.1
  @nodeB header Cookie *${NODE_COOKIE}=b*
  handle @nodeB {
    reverse_proxy ${hostPort(b)}
  }
  handle {
    reverse_proxy ${hostPort(a)}
  }
}
`;
}

/** What a cluster runs beyond messaging. */
export interface ServerClusterOptions {
  /**
   * Group calls: each node starts the installed Janus (on PARLEY_JANUS_INTERFACE in the test
   * namespace); a dead node's calls move after a 3 s lease.
   */
  groupCalls?: boolean;
}

/** Starts PostgreSQL, Redis, node A, node B (after A: A migrates and publishes the builds) and Caddy. */
export async function startServerCluster(options: ServerClusterOptions = {}): Promise<ServerCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-cluster-'));
  let postgres: ScratchPostgres | null = null;
  let redis: ScratchRedis | null = null;
  const servers: ChildServer[] = [];
  let caddy: ChildProcess | null = null;
  let caddyLog = '';

  const stop = async () => {
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((resolve) => caddy!.once('exit', resolve));
      caddy.kill('SIGKILL');
      await exited;
    }
    for (const server of servers) {
      if (server.process.exitCode === null && server.process.signalCode === null) server.process.kill('SIGTERM');
      await server.exited;
    }
    await redis?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const ports = { shell: await freePort(), chat: await freePort(), call: await freePort() };
    const origins = { shell: `http://localhost:${ports.shell}`, chat: `http://localhost:${ports.chat}`, call: `http://localhost:${ports.call}` };
    postgres = await startScratchPostgres();
    redis = await startScratchRedis();
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const env = {
      PARLEY_DATABASE_URL: await postgres.createDatabase(),
      PARLEY_REDIS_URL: redis.url,
      ...(options.groupCalls ? { PARLEY_JANUS: 'auto', PARLEY_SFU_LEASE_MS: '3000', PARLEY_LOG_LEVEL: 'info' } : { PARLEY_JANUS: 'off' }),
      PARLEY_MANIFEST_KEY_FILE: DEV_MANIFEST_KEY_FILE,
      PARLEY_METRICS_PORT: '0',
      // What browsers see is Caddy's origins, not the nodes' own ports.
      PARLEY_SHELL_ORIGIN: origins.shell,
      PARLEY_API_ORIGIN: origins.shell,
      PARLEY_CHAT_ORIGIN: origins.chat,
      PARLEY_CALL_ORIGIN: origins.call,
      PARLEY_TRUSTED_PROXIES: 'loopback',
    };
    const node = async (name: NodeName): Promise<ClusterNode> => {
      const server = await startChildServer(dataDir, env);
      servers.push(server);
      return {
        name,
        server,
        async connectedDevices() {
          const text = await (await fetch(server.addresses.metrics!)).text();
          return Number(/^parley_connected_devices (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
        },
      };
    };
    const a = await node('a');
    const b = await node('b');

    const caddyDir = join(dir, 'caddy');
    mkdirSync(caddyDir);
    const caddyfile = [
      `{\n  admin off\n  auto_https off\n  storage file_system ${join(caddyDir, 'storage')}\n}\n`,
      ...(['shell', 'chat', 'call'] as const).map((app) => site(ports[app], a.server.addresses[app]!, b.server.addresses[app]!)),
    ].join('\n');
    writeFileSync(join(caddyDir, 'Caddyfile'), caddyfile);
    caddy = spawn('caddy', ['run', '--adapter', 'caddyfile', '--config', join(caddyDir, 'Caddyfile')], {
      env: { ...process.env, HOME: caddyDir, XDG_DATA_HOME: caddyDir, XDG_CONFIG_HOME: caddyDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stdout?.on('data', (chunk) => (caddyLog += chunk));
    caddy.stderr?.on('data', (chunk) => (caddyLog += chunk));
    for (const origin of Object.values(origins)) {
      await waitFor(
        `${origin} answering through Caddy`,
        async () => {
          if (caddy?.exitCode !== null) throw new Error(`caddy exited:\n${caddyLog}`);
          return fetch(`${origin}/`).then((answer) => answer.status < 500, () => false);
        },
        20_000,
        () => caddyLog,
      );
    }

    return {
      system: { addresses: { shell: origins.shell, api: origins.shell, chat: origins.chat, call: origins.call } },
      nodes: { a, b },
      async pin(context, name) {
        await context.addCookies([{ name: NODE_COOKIE, value: name, url: origins.shell }]);
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
