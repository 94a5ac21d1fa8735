/**
 * Helpers for this app's tests: a throwaway data folder, a configuration on port 0, and a relay
 * client that lets a test await the next frame or the close.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame } from '@parley/contracts';
import { WebSocket } from 'ws';
import { type Clock, type ServerConfig, SERVER_VERSION } from './config.js';

/** A clock a test moves by hand. */
export class ManualClock implements Clock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
}

/** Creates an empty temp folder and returns it with its cleanup. */
export async function tempFolder(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'parley-server-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A configuration for tests: loopback, port 0, no app origins, silent logs. */
export function testConfig(dataDir: string, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    dataDir,
    host: '127.0.0.1',
    apiPort: 0,
    apps: {},
    relayAuthTimeoutMs: 5_000,
    manifestTtlMs: 5 * 60_000,
    clock: new ManualClock(1_700_000_000_000),
    version: SERVER_VERSION,
    logLevel: 'silent',
    writeDefaultManifest: false,
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
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
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
