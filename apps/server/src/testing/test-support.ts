/**
 * Helpers for this app's tests: a throwaway data folder, a configuration on port 0, and a relay
 * client that lets a test await the next frame or the close.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ManualClock } from '@parley/clock/testing';
import type { ServerFrame } from '@parley/contracts';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { WebSocket } from 'ws';
import { DEFAULT_RATE_LIMITS, type ServerConfig, SERVER_VERSION } from '../config.js';
import { type Addresses, type ParleyServer, createParleyServer } from '../create-server.js';
import { MIGRATIONS } from '../storage/migrations.js';
import { SQLITE_FILE_NAME } from '../storage/sqlite-storage.js';
import { type ChildServer, startChildServer } from './child-server.js';
import { type ScratchPostgres, createScratchDatabase, startScratchPostgres } from './scratch-postgres.js';
import { TestIdentity } from './test-keys.js';

/**
 * Creates an empty temp folder and returns it with its cleanup. `inMemory` puts it on tmpfs when
 * there is one: for tests that stress the relay rather than the disk, where an fsync per commit
 * (synchronous = FULL) would only make them slow.
 */
export async function tempFolder(options: { inMemory?: boolean } = {}): Promise<{ path: string; remove(): Promise<void> }> {
  const base = options.inMemory && existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const path = await mkdtemp(join(base, 'parley-server-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A fresh temp folder for every test of the calling suite (made before each test, removed after it). */
export function tempFolderPerTest(): { readonly path: string } {
  let folder: Awaited<ReturnType<typeof tempFolder>> | undefined;
  beforeEach(async () => {
    folder = await tempFolder();
  });
  afterEach(async () => {
    await folder?.remove();
  });
  return {
    get path() {
      if (!folder) throw new Error('tempFolderPerTest: read the path inside a test');
      return folder.path;
    },
  };
}

/** A scratch PostgreSQL cluster for the calling file's tests: started before them, stopped after. */
export function scratchPostgresPerFile(): { createDatabase(): Promise<string> } {
  let cluster: ScratchPostgres | undefined;
  beforeAll(async () => {
    cluster = await startScratchPostgres();
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return {
    createDatabase() {
      if (!cluster) throw new Error('scratchPostgresPerFile: create databases inside a test');
      return cluster.createDatabase();
    },
  };
}

/**
 * Starts server processes (startChildServer) for the running test; each is SIGKILLed when the test
 * ends. Call it in a describe, before the hooks that remove what the servers use.
 */
export function childServersPerTest(): (dataDir: string, env?: NodeJS.ProcessEnv) => Promise<ChildServer> {
  const started: ChildServer[] = [];
  afterEach(async () => {
    for (const child of started.splice(0).reverse()) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
  });
  return async (dataDir, env) => {
    const child = await startChildServer(dataDir, env);
    started.push(child);
    return child;
  };
}

/**
 * Opens a new database file in `dataDir` as a server that knew only the first `migrations` of
 * `MIGRATIONS` left it (their schema applied and recorded), for a test to fill and close before a
 * newer server upgrades it.
 */
export function databaseBeforeMigration(dataDir: string, migrations: number): Database.Database {
  const db = new Database(join(dataDir, SQLITE_FILE_NAME));
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;');
  for (const migration of MIGRATIONS.slice(0, migrations)) {
    db.exec(migration.sql);
    db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 1)').run(migration.version, migration.name);
  }
  return db;
}

/** A configuration for tests: loopback, port 0, no app origins, silent logs. */
export function testConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    environment: 'development',
    dataDir,
    host: '127.0.0.1',
    apiPort: 0,
    apps: {},
    relayAuthTimeoutMs: 5_000,
    manifestTtlMs: 5 * 60_000,
    clock: new ManualClock(1_700_000_000_000),
    version: SERVER_VERSION,
    logLevel: 'silent',
    publishLocalBuilds: false,
    rateLimits: DEFAULT_RATE_LIMITS,
    linkPollTimeoutMs: 25_000,
    // A worker per test server costs its start-up; the thread has its own tests.
    relayCommitThread: false,
    ...overrides,
  };
}

/** A relay client on a real WebSocket; frames and the close are awaited in order. */
export class TestRelayClient {
  private readonly frames: unknown[] = [];
  private readonly waiters: Array<(frame: unknown) => void> = [];
  /** Resolves with the close code and reason once the connection ends. */
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame: unknown = JSON.parse(String(data));
      const waiter = this.waiters.shift();
      if (waiter) waiter(frame);
      else this.frames.push(frame);
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a connection to `url` (an `http://` base) at `path`. */
  static async connect(base: string, path: string): Promise<TestRelayClient> {
    const socket = new WebSocket(base.replace(/^http/, 'ws') + path);
    const client = new TestRelayClient(socket);
    // Bounded: a server that never completes the upgrade fails the test with a reason, not a timeout.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no WebSocket upgrade from ${base}${path} within 10 s`)), 10_000);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return client;
  }

  /** Connects and authenticates with `token`, returning once `ready` arrived. */
  static async signedIn(base: string, path: string, token: string): Promise<TestRelayClient> {
    const client = await TestRelayClient.connect(base, path);
    client.send({ t: 'auth', token });
    const ready = (await client.next()) as ServerFrame;
    if (ready.t !== 'ready') throw new Error(`expected ready, got ${JSON.stringify(ready)}`);
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame from the server; fails after `timeoutMs`. */
  next(timeoutMs = 2_000): Promise<unknown> {
    const queued = this.frames.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve, reject) => {
      const waiter = (frame: unknown) => {
        clearTimeout(timer);
        resolve(frame);
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no frame within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /** Reads frames until one of type `t` and returns it, dropping those before it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the fields of the frame they waited for
  async until(t: string, timeoutMs = 2_000): Promise<any> {
    for (;;) {
      const frame = (await this.next(timeoutMs)) as { t?: string };
      if (frame.t === t) return frame;
    }
  }

  /** Drops the next frame if it is of type `t` (e.g. an expected `prekeys-low` after `ready`). */
  async skip(t: string, timeoutMs = 200): Promise<void> {
    const queued = this.frames[0] as { t?: string } | undefined;
    if (queued) {
      if (queued.t === t) this.frames.shift();
      return;
    }
    const frame = await this.next(timeoutMs).catch(() => undefined);
    if (frame !== undefined && (frame as { t?: string }).t !== t) this.frames.unshift(frame);
  }

  /**
   * Round-trips a ping and drops the `prekeys-low` frames before the pong (the one that follows
   * `ready` when a test device has few keys); other frames stay to be read.
   */
  async settle(): Promise<void> {
    this.send({ t: 'ping' });
    const kept: unknown[] = [];
    for (;;) {
      const frame = (await this.next()) as { t?: string };
      if (frame.t === 'pong') break;
      if (frame.t !== 'prekeys-low') kept.push(frame);
    }
    this.frames.unshift(...kept);
  }

  /** Frames received and not read yet. */
  get pending(): number {
    return this.frames.length;
  }

  close(): void {
    this.socket.close();
  }
}

/** The `error` member of an error response, checked to have the shared shape. */
export async function errorOf(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json()) as { error?: { code?: unknown; message?: unknown } };
  if (typeof body.error?.code !== 'string' || typeof body.error.message !== 'string') {
    throw new Error(`not an error body: ${JSON.stringify(body)}`);
  }
  return { code: body.error.code, message: body.error.message };
}

/** A registered device as a test holds it. */
export interface TestDevice {
  userId: string;
  deviceId: number;
  token: string;
}

/** A small HTTP client for the API, answering status and parsed body. */
export class TestApi {
  constructor(readonly base: string) {}

  async request(method: string, path: string, options: { token?: string; body?: unknown; raw?: string } = {}) {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined;
    if (options.raw !== undefined || options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = options.raw ?? JSON.stringify(options.body);
    }
    const response = await fetch(`${this.base}${path}`, { method, headers, body });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the route answered
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any, headers: response.headers };
  }

  /** Creates an account and returns its first device; retries as a client does while the server is `busy` (503). */
  async register(body: unknown): Promise<TestDevice> {
    let answer = await this.request('POST', '/api/accounts', { body });
    while (answer.status === 503) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      answer = await this.request('POST', '/api/accounts', { body });
    }
    const { status, body: created } = answer;
    if (status !== 201) throw new Error(`account creation answered ${status}: ${JSON.stringify(created)}`);
    return created as TestDevice;
  }

  /**
   * Adds a device to `owner`'s account through the linking routes (code, request, provision,
   * complete) and returns it; its keys are `identity`'s with `oneTime` one-time prekeys.
   */
  async linkDevice(owner: TestDevice, identity: TestIdentity, options: { oneTime?: number; registrationId?: number } = {}): Promise<TestDevice> {
    const { oneTime = 3, registrationId = 4321 } = options;
    const { body: code } = await this.request('POST', '/api/link/codes', { token: owner.token });
    const { body: req } = await this.request('POST', '/api/link/requests', {
      body: { linkId: code.linkId, ephemeralPublicKey: identity.identityKey, mac: Buffer.alloc(32, 1).toString('base64') },
    });
    await this.request('POST', `/api/link/requests/${req.requestId}/provision`, { token: owner.token, body: { envelope: Buffer.from('env').toString('base64') } });
    const { body: provisioned } = await this.request('GET', `/api/link/requests/${req.requestId}`);
    const { body: created } = await this.request('POST', '/api/link/complete', {
      body: { provisioningToken: provisioned.provisioningToken, device: identity.deviceKeys(oneTime, registrationId) },
    });
    return created as TestDevice;
  }
}

/**
 * Signs up a real account named `handle` through `POST /api/accounts` (libsignal keys, no one-time
 * prekeys) and returns its first device, whose token is what every other request carries.
 */
export function registerAccount(api: string, handle: string, oneTimePreKeys = 0): Promise<TestDevice> {
  return new TestApi(api).register(new TestIdentity().account(handle, oneTimePreKeys));
}

/** Signs up one account per handle, memoized per handle, for tests that speak for several users. */
export class TestAccounts {
  private readonly devices = new Map<string, Promise<TestDevice>>();
  constructor(private readonly api: () => string) {}

  /** The device of `handle`'s account, signed up on first use. */
  of(handle: string): Promise<TestDevice> {
    let device = this.devices.get(handle);
    if (!device) {
      device = registerAccount(this.api(), handle);
      this.devices.set(handle, device);
    }
    return device;
  }

  /** The token of `handle`'s device. */
  async token(handle: string): Promise<string> {
    return (await this.of(handle)).token;
  }

  /** Forgets every account (after the server behind them was replaced with an empty one). */
  clear(): void {
    this.devices.clear();
  }
}

/** What `serverPerTest` gives a test: its folder, and the server once `start` ran. */
export interface ServerPerTest {
  /** The test's own temp folder (the data folder unless `start` is told otherwise). */
  readonly folder: string;
  /** The running server (throws before `start`). */
  readonly server: ParleyServer;
  /** The API's base URL and a client for it, once started. */
  readonly api: string;
  readonly http: TestApi;
  /** Relay clients the test opened: closed after it. */
  readonly clients: TestRelayClient[];
  /** Starts a server on the test's folder with `testConfig`, the suite's defaults and `overrides`. */
  start(overrides?: Partial<ServerConfig>): Promise<Addresses>;
}

/**
 * A fresh folder and server for every test of the calling suite: the hooks made here create the
 * folder before each test and, after it, close its relay clients, stop its server (if started)
 * and remove the folder.
 */
export function serverPerTest(defaults: Partial<ServerConfig> = {}): ServerPerTest {
  let folder: Awaited<ReturnType<typeof tempFolder>> | undefined;
  let server: ParleyServer | undefined;
  let api: string | undefined;
  const clients: TestRelayClient[] = [];
  beforeEach(async () => {
    folder = await tempFolder();
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.stop();
    server = undefined;
    api = undefined;
    await folder?.remove();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('serverPerTest: call start() first');
    return value;
  };
  return {
    get folder() {
      return started(folder).path;
    },
    get server() {
      return started(server);
    },
    get api() {
      return started(api);
    },
    get http() {
      return new TestApi(started(api));
    },
    clients,
    async start(overrides = {}) {
      // Under `server:test-postgres` each server gets its own fresh database on the scratch cluster.
      const backend = process.env.PARLEY_TEST_POSTGRES ? { databaseUrl: await createScratchDatabase(process.env.PARLEY_TEST_POSTGRES) } : {};
      server = createParleyServer(testConfig(started(folder).path, { ...backend, ...defaults, ...overrides }));
      const addresses = await server.start();
      api = addresses.api;
      return addresses;
    },
  };
}
