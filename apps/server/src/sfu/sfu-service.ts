/**
 * Puts group calls together from the configuration: the supervised Janus (`auto`) or the configured
 * instances (`urls`), the pool, the registry and the gateway the relay socket hands `sfu` frames to,
 * plus the periodic sweep that ends abandoned calls. `off` gives no service: the relay socket then
 * answers `sfu_unavailable`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { WallClock } from '@parley/clock';
import type { CallLinkDirectory } from '../call-links/call-link-directory.js';
import { LinkCalls, type LinkCallsOptions } from '../call-links/link-calls.js';
import { DEFAULT_RATE_LIMITS, type JanusConfig, type RateLimit } from '../config.js';
import { RateLimiter } from '../limits/rate-limiter.js';
import type { RelayHub } from '../relay/relay-hub.js';
import type { GroupCallStore, LeaseStore, StorageKind } from '../storage/storage.js';
import { CallLeases, callLeaseName } from './call-leases.js';
import { GroupCalls } from './group-calls.js';
import { JanusPool } from './janus-pool.js';
import { type JanusEndpoint, JanusSupervisor } from './janus-process.js';
import { JanusRooms } from './janus-rooms.js';
import { RoomSecrets } from './room-secret.js';
import { SfuGateway } from './sfu-gateway.js';
import { NodeUnreachableError, RedisSfuNodeLink, type SfuNodeLink } from './sfu-node-link.js';
import { type SfuFrames, SfuRouter } from './sfu-router.js';

/** Group calls while the server runs. */
export interface SfuService {
  /** Where the relay socket hands `sfu` frames: this node's gateway, or the call's owner node. */
  readonly gateway: SfuFrames;
  readonly calls: GroupCalls;
  readonly pool: JanusPool;
  /** Ends a call for everyone, on the node running it (a call link revoked or expired). */
  endCall(callId: string, reason: string): Promise<void>;
  /** The auto-started Janus, if any (tests kill it to prove the restart path). */
  readonly supervisor: JanusSupervisor | null;
  stop(): Promise<void>;
}

export interface SfuServiceOptions {
  janus: JanusConfig;
  dataDir: string;
  storage: GroupCallStore & LinkCallsOptions['storage'] & LeaseStore & { readonly kind: StorageKind };
  /** Redis joining the nodes (PARLEY_REDIS_URL): requests for calls owned elsewhere are forwarded through it. */
  redisUrl?: string;
  /** How long a node's lease on a call lasts unless renewed (a dead owner's calls wait this long). */
  callLeaseMs?: number;
  hub: RelayHub;
  clock: WallClock;
  log: Logger;
  /** Per-device limit on `sfu` frames; null = unlimited. */
  rateLimit: RateLimit | null;
  disconnectGraceMs?: number;
  emptyCallTimeoutMs?: number;
  /** Calls a user may have open when starting one (DiskLimits.openGroupCallsPerUser); absent: no cap. */
  openCallsPerUser?: number;
  /** Call links (issue 9): with them, devices join links' calls (`join-link`, `admit`, `remove`). */
  callLinks?: CallLinkDirectory;
}

/** How often abandoned calls are looked for. */
const SWEEP_INTERVAL_MS = 30_000;
/** Default call lease: a request while the owner is dead waits at most this, within a client's 10 s. */
const CALL_LEASE_MS = 6_000;
/** How long a forwarded request waits for the owner's answer (Janus work included). */
const FORWARD_TIMEOUT_MS = 4_000;

/** Starts group calls, or returns null (with one log line saying why) when they are off. */
export async function startSfuService(options: SfuServiceOptions): Promise<SfuService | null> {
  const { janus, log } = options;
  if (janus.mode === 'off') {
    if (janus.notInstalled) log.info('group calls are off: Janus is not installed (install it with `apt-get install janus`, or set PARLEY_JANUS to Janus URLs: ws:// on loopback, wss:// elsewhere)');
    else log.info('group calls are off (PARLEY_JANUS=off)');
    return null;
  }

  let supervisor: JanusSupervisor | null = null;
  let endpoints: JanusEndpoint[];
  if (janus.mode === 'auto') {
    const janusLog = log.child({ janus: 'process' });
    supervisor = new JanusSupervisor({
      binary: janus.binary,
      ...(janus.iceInterface ? { iceInterface: janus.iceInterface } : {}),
      ...(janus.rtpPortRange ? { rtpPortRange: janus.rtpPortRange } : {}),
      ...(janus.publicIp ? { publicIp: janus.publicIp } : {}),
      // Janus's errors matter at the default level; the rest is noise unless debugging.
      onOutput: (line) => (line.includes('[ERR]') ? janusLog.warn({ line }, 'janus output') : janusLog.debug({ line }, 'janus output')),
    });
    try {
      endpoints = [await supervisor.start()];
    } catch (error) {
      log.error({ err: { message: (error as Error).message } }, 'could not start janus: group calls are off');
      await supervisor.stop();
      return null;
    }
    log.info({ janus: endpoints[0]?.url, iceInterface: janus.iceInterface ?? null }, 'started janus for group calls');
  } else {
    endpoints = janus.urls.map((url) => ({ url, apiSecret: janus.apiSecret ?? '' }));
  }

  const pool = new JanusPool(endpoints, { log });
  await pool.start();
  const rooms = new JanusRooms(pool);
  // SQLite is one node: a fixed holder lets a restarted node keep its calls' leases. Nodes on
  // PostgreSQL are each their own holder, new on every start.
  const nodeId = options.storage.kind === 'sqlite' ? 'single-node' : randomUUID();
  const leases = new CallLeases({
    store: options.storage,
    nodeId,
    clock: options.clock,
    ttlMs: options.callLeaseMs ?? CALL_LEASE_MS,
    log,
    onLost: (name) => {
      if (name.startsWith('call:')) calls.forget(name.slice('call:'.length));
    },
  });
  const calls: GroupCalls = new GroupCalls({
    ownership: {
      own: async (callId) => (await leases.owner(callLeaseName(callId))).mine,
      release: (callId) => leases.release(callLeaseName(callId)),
    },
    storage: options.storage,
    rooms,
    secrets: RoomSecrets.fromDataDir(options.dataDir),
    clock: options.clock,
    log,
    emptyCallTimeoutMs: options.emptyCallTimeoutMs ?? 5 * 60_000,
    ...(options.openCallsPerUser !== undefined ? { openCallsPerUser: options.openCallsPerUser } : {}),
  });
  const unsubscribe = pool.subscribe({
    lost: (instance) => calls.roomsLost(instance.url),
    restored: () => calls.roomsRestored(),
  });
  if (supervisor) {
    const running = supervisor;
    running.onExit = (code, signal) => log.warn({ code, signal }, 'janus exited; restarting it');
    running.onRestart = () => {
      log.info({ restarts: running.restartCount }, 'janus restarted');
      void pool.reconnectNow(endpoints[0]?.url ?? '');
    };
  }
  const notify = (device: Parameters<RelayHub['notify']>[0], frame: Parameters<RelayHub['notify']>[1]) => {
    options.hub.notify(device, frame);
  };
  const links = options.callLinks ? new LinkCalls({ directory: options.callLinks, storage: options.storage, calls, notify, log }) : null;
  const gateway = new SfuGateway({
    calls,
    links,
    rooms,
    notify,
    limiter: new RateLimiter(options.rateLimit, options.clock),
    log,
    disconnectGraceMs: options.disconnectGraceMs ?? 15_000,
  });
  // Nobody forwards to this node before it holds a lease, so `router` is set before the first request.
  const link: SfuNodeLink | null = options.redisUrl
    ? await RedisSfuNodeLink.start(options.redisUrl, nodeId, { request: (device, frame, origin) => router.serveForwarded(device, frame, origin), end: (callId, reason) => calls.end(callId, reason) }, {
        timeoutMs: FORWARD_TIMEOUT_MS,
        onError: (error) => log.warn({ err: { message: error.message } }, 'sfu node link (Redis)'),
      })
    : null;
  const router = new SfuRouter({
    gateway,
    leases,
    link,
    storage: options.storage,
    notify,
    clock: options.clock,
    log,
    disconnectGraceMs: options.disconnectGraceMs ?? 15_000,
  });
  leases.start();
  router.start();
  const sweep = setInterval(() => {
    calls.sweep().catch((error: unknown) => log.warn({ err: { message: (error as Error).message } }, 'group call sweep failed'));
  }, SWEEP_INTERVAL_MS);
  sweep.unref();

  return {
    gateway: router,
    calls,
    async endCall(callId, reason) {
      const owner = await leases.owner(callLeaseName(callId));
      if (!owner.mine && link) {
        try {
          return await link.end(owner.holder, callId, reason);
        } catch (error) {
          if (!(error instanceof NodeUnreachableError)) throw error;
          // Its owner is gone: nobody is in the call any more, so it is ended here.
        }
      }
      await calls.end(callId, reason);
    },
    pool,
    supervisor,
    async stop() {
      clearInterval(sweep);
      await router.stop();
      await gateway.stop();
      // Given up at once, so another node takes this node's calls on their next request.
      await leases.stop();
      await link?.stop();
      links?.stop();
      unsubscribe();
      await pool.stop();
      await supervisor?.stop();
    },
  };
}

/** The SFU rate limit of a server's limits (null = unlimited). */
export function sfuRateLimit(limits: { sfuRequests?: RateLimit } | null): RateLimit | null {
  return limits ? (limits.sfuRequests ?? DEFAULT_RATE_LIMITS.sfuRequests ?? null) : null;
}
