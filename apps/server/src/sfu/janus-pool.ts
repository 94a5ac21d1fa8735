// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- janode ships no types; this pulls ours into every program that compiles this file (e2e, tools), not only the server's.
/// <reference path="./janode.d.ts" />
/**
 * The Janus instances this server drives, each over one janode connection and session. Rooms go to
 * the instance with the fewest participants (ARCHITECTURE "Storage and scale": several Janus, rooms
 * placed by the server). When an instance's connection drops (Janus died or restarted) the pool
 * says so, keeps trying to reconnect, and says so again once it is back, so the calls placed there
 * can tell their devices to join again.
 */
import Janode, { type JanodeConnection, type JanodeSession } from 'janode';
import VideoRoomPlugin, { type VideoRoomHandle } from 'janode/plugins/videoroom';
import type { Logger } from 'pino';
import type { JanusEndpoint } from './janus-process.js';

// janode logs to the console on its own; every line worth keeping is logged through pino here.
Janode.Logger.setLevel('none');

/** One Janus as the pool sees it. */
export interface JanusInstance {
  /** Its WebSocket URL (stable across restarts of a supervised Janus). */
  readonly url: string;
  /** Connected and able to take requests. */
  readonly up: boolean;
  /** Participants the server placed on it now: what placement balances. */
  load: number;
  /** Opens a new VideoRoom handle on this instance's session. */
  attach(): Promise<VideoRoomHandle>;
  /** The handle the server uses for room management (create, destroy, allow). */
  manager(): Promise<VideoRoomHandle>;
}

export interface JanusPoolOptions {
  log: Logger;
  /** Between reconnect attempts to an instance that went away. */
  reconnectDelayMs?: number;
}

/** Listeners for instances going away and coming back. */
export interface JanusPoolListener {
  lost(instance: JanusInstance): void;
  restored(instance: JanusInstance): void;
}

class ConnectedInstance implements JanusInstance {
  load = 0;
  connection: JanodeConnection | null = null;
  session: JanodeSession | null = null;
  private managerHandle: Promise<VideoRoomHandle> | null = null;
  /** Bumped on every (re)connect, so events of an old connection are ignored. */
  generation = 0;

  constructor(readonly endpoint: JanusEndpoint) {}

  get url(): string {
    return this.endpoint.url;
  }

  get up(): boolean {
    return this.session !== null;
  }

  async attach(): Promise<VideoRoomHandle> {
    if (!this.session) throw new JanusUnavailableError(this.url);
    return this.session.attach(VideoRoomPlugin);
  }

  manager(): Promise<VideoRoomHandle> {
    this.managerHandle ??= this.attach().catch((error: unknown) => {
      this.managerHandle = null;
      throw error;
    });
    return this.managerHandle;
  }

  forget(): void {
    this.connection = null;
    this.session = null;
    this.managerHandle = null;
  }
}

/** No Janus instance can take the request right now. */
export class JanusUnavailableError extends Error {
  constructor(url?: string) {
    super(url ? `janus at ${url} is not connected` : 'no janus instance is connected');
  }
}

/** Keep-alive interval of the janode sessions; Janus drops a session idle for 60 s. */
const KEEPALIVE_SECONDS = 15;

export class JanusPool {
  private readonly instances: ConnectedInstance[];
  private readonly listeners = new Set<JanusPoolListener>();
  private stopped = false;
  private readonly reconnecting = new Set<ConnectedInstance>();

  constructor(
    endpoints: readonly JanusEndpoint[],
    private readonly options: JanusPoolOptions,
  ) {
    this.instances = endpoints.map((endpoint) => new ConnectedInstance(endpoint));
  }

  /** Connects to every instance; one that is down is retried in the background. */
  async start(): Promise<void> {
    this.stopped = false;
    await Promise.all(
      this.instances.map(async (instance) => {
        if (!(await this.connect(instance))) this.reconnectLater(instance);
      }),
    );
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(
      this.instances.map(async (instance) => {
        const connection = instance.connection;
        instance.generation++;
        instance.forget();
        await connection?.close();
      }),
    );
  }

  subscribe(listener: JanusPoolListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether any instance can take a room now. */
  get available(): boolean {
    return this.instances.some((instance) => instance.up);
  }

  /** Every instance, up or not. */
  all(): readonly JanusInstance[] {
    return this.instances;
  }

  /** The connected instance with the fewest participants, for a new (or recreated) room. */
  place(): JanusInstance {
    let best: ConnectedInstance | undefined;
    for (const instance of this.instances) {
      if (instance.up && (!best || instance.load < best.load)) best = instance;
    }
    if (!best) throw new JanusUnavailableError();
    return best;
  }

  /**
   * Reconnects to an instance at once (a supervisor saw its Janus start again) instead of waiting
   * for the next attempt.
   */
  async reconnectNow(url: string): Promise<void> {
    const instance = this.instances.find((candidate) => candidate.url === url);
    if (!instance || instance.up || this.stopped) return;
    if (await this.connect(instance)) this.restored(instance);
  }

  private async connect(instance: ConnectedInstance): Promise<boolean> {
    const generation = ++instance.generation;
    try {
      const connection = await Janode.connect({
        address: { url: instance.endpoint.url, apisecret: instance.endpoint.apiSecret },
        retry_time_secs: 1,
        max_retries: 1,
      });
      if (generation !== instance.generation || this.stopped) {
        await connection.close().catch(() => undefined);
        return false;
      }
      const session = await connection.create(KEEPALIVE_SECONDS);
      if (generation !== instance.generation || this.stopped) {
        await connection.close().catch(() => undefined);
        return false;
      }
      const dropped = () => {
        if (generation !== instance.generation) return;
        instance.generation++;
        instance.forget();
        instance.load = 0;
        this.options.log.warn({ janus: instance.url }, 'lost the connection to janus; its calls must be joined again');
        for (const listener of this.listeners) listener.lost(instance);
        this.reconnectLater(instance);
      };
      connection.once(Janode.EVENT.CONNECTION_CLOSED, dropped);
      connection.once(Janode.EVENT.CONNECTION_ERROR, dropped);
      session.once(Janode.EVENT.SESSION_DESTROYED, dropped);
      instance.connection = connection;
      instance.session = session;
      this.options.log.info({ janus: instance.url }, 'connected to janus');
      return true;
    } catch (error) {
      if (generation === instance.generation) instance.forget();
      this.options.log.debug({ janus: instance.url, err: { message: (error as Error).message } }, 'janus connection attempt failed');
      return false;
    }
  }

  private reconnectLater(instance: ConnectedInstance): void {
    if (this.stopped || this.reconnecting.has(instance)) return;
    this.reconnecting.add(instance);
    const attempt = async () => {
      if (this.stopped || instance.up) {
        this.reconnecting.delete(instance);
        return;
      }
      if (await this.connect(instance)) {
        this.reconnecting.delete(instance);
        this.restored(instance);
        return;
      }
      setTimeout(() => void attempt(), this.options.reconnectDelayMs ?? 500).unref();
    };
    setTimeout(() => void attempt(), this.options.reconnectDelayMs ?? 500).unref();
  }

  private restored(instance: ConnectedInstance): void {
    this.options.log.info({ janus: instance.url }, 'janus is back');
    for (const listener of this.listeners) listener.restored(instance);
  }
}
