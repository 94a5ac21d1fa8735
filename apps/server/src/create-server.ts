/**
 * Wires the server together: one store, one relay hub and one set of API routes, served on the
 * API port and again on the shell's origin (so the shell calls `/api/…` and `/ws` same-origin),
 * plus an origin per built app.
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { APP_NAMES, type AppName, type RateLimit, type ServerConfig } from './config.js';
import { DEFAULT_DISK_LIMITS } from './limits/disk-limits.js';
import { type StorageSweepReport, runStorageSweeps } from './storage/storage-sweeps.js';
import { closeGracefully, createFastifyApp } from './http/fastify-app.js';
import { registerHealthRoute } from './http/health-route.js';
import { sendError } from './http/http-errors.js';
import { createLogger } from './observability/logger.js';
import { registerManifestRoute } from './releases/manifest-route.js';
import { RedisClusterBus } from './relay/cluster-bus.js';
import { RelayHub } from './relay/relay-hub.js';
import { registerRelaySocket } from './relay/relay-socket.js';
import { storageFor } from './storage/open-storage.js';
import { PostgresStorage } from './storage/postgres-storage.js';
import { type StaticOrigin, originUrl, serveStatic } from './http/static-origin.js';
import { publishLocalBuilds } from './releases/local-builds.js';
import { type ServedOrigins, registerSecurityHeaders, releaseOriginsReader } from './http/security-headers.js';
import { MANIFEST_KEY_FILE_NAME, type ManifestKeys, loadOrCreateManifestKeys, writePublicKeys } from './releases/manifest-keys.js';
import { assertSameSetupAsOtherNodes } from './cluster/same-setup.js';
import { ROOM_KEY_FILE_NAME, RoomSecrets } from './sfu/room-secret.js';
import { ReleaseRegistry } from './releases/release-registry.js';
import { ServerMetrics, metricsListener } from './observability/metrics.js';
import { registerSettingsRoutes } from './accounts/settings-routes.js';
import type { Storage } from './storage/storage.js';
import { registerAccountsRoutes } from './accounts/accounts-routes.js';
import { type ApiContext, registerCallerLimits } from './http/api-support.js';
import { DeviceAuthenticator } from './accounts/device-auth.js';
import { registerLinkRoutes } from './accounts/link-routes.js';
import { RateLimiter } from './limits/rate-limiter.js';
import { type RequestLimiter, SharedRateLimits } from './limits/shared-rate-limits.js';
import { RelayConnectionCounter } from './relay/relay-connection-caps.js';
import { RelayWriter } from './relay/relay-writer.js';
import { registerTurnRoute } from './turn/turn-route.js';
import { type SfuService, sfuRateLimit, startSfuService } from './sfu/sfu-service.js';
import { CallLinkDirectory } from './call-links/call-link-directory.js';
import { registerCallLinkRoutes } from './call-links/call-link-routes.js';
import { registerGuestRoutes } from './call-links/guest-accounts.js';
import { DEFAULT_BLOB_LIMITS } from './blobs/blob-limits.js';
import { BlobLibrary, type BlobSweepReport } from './blobs/blob-library.js';
import { registerBlobRoutes } from './blobs/blob-routes.js';
import { startSweeps } from './cluster/sweeps.js';
import { FolderBlobStore } from './blobs/folder-blob-store.js';

/** Base URLs the running server answers on; an app is absent when its origin is not served. */
export interface Addresses {
  api: string;
  /** The Prometheus listener, when PARLEY_METRICS_PORT is set (never a public origin). */
  metrics?: string;
  shell?: string;
  chat?: string;
  call?: string;
}

/** A server that can be started and stopped, e.g. once per test on port 0. */
export interface ParleyServer {
  start(): Promise<Addresses>;
  /** Closes every listener and the store; safe to call when not started. */
  stop(): Promise<void>;
  /** The store, open between `start` and `stop`. */
  readonly storage: Storage;
  /** Releases and rollout rules (what the release CLI drives), over the same store. */
  readonly registry: ReleaseRegistry;
  /** Relay WebSockets open right now, authenticated or not (a leak check for tests). */
  openRelaySockets(): number;
  /** Group calls while started, when an SFU is configured (tests reach Janus through it). */
  sfu(): SfuService | null;
  /** Runs the storage sweeps now (they also run every STORAGE_SWEEP_INTERVAL_MS while started). */
  sweepStorage(): Promise<StorageSweepReport>;
  /** Runs the attachment blob expiry now (it also runs every BLOB_SWEEP_INTERVAL_MS while started). */
  sweepBlobs(): Promise<BlobSweepReport>;
}

/** How often a waiting link poll re-reads its request when several nodes share the database. */
const LINK_POLL_RECHECK_MS = 1_000;

/** How long `stop` lets requests in flight finish before cutting their connections. */
const SHUTDOWN_GRACE_MS = 5_000;

/** The URL a browser on this machine uses: `localhost` rather than a loopback address. */
export function browserFacing(address: string): string {
  return address.replace(/^http:\/\/(127\.0\.0\.1|0\.0\.0\.0|\[::1?\])(?=:)/, 'http://localhost');
}

/** Meta key holding when this data folder was first used (ms since the epoch). */
export const META_CREATED_AT = 'created_at';

/** Creates the Parley server from a configuration; nothing listens until `start`. */
export function createParleyServer(config: ServerConfig, deps: { storage?: Storage } = {}): ParleyServer {
  let warn = (message: string) => process.emitWarning(message);
  const storage =
    deps.storage ??
    storageFor({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, clock: config.clock, commitThread: config.relayCommitThread, onWarning: (m) => warn(m) });
  const registry = new ReleaseRegistry(storage, { dataDir: config.dataDir, clock: config.clock });
  const blobLimits = config.blobLimits ?? DEFAULT_BLOB_LIMITS;
  // Several nodes on PostgreSQL share no data folder: their blobs live in the database.
  const blobStore = storage instanceof PostgresStorage ? storage.blobStore() : FolderBlobStore.inDataDir(config.dataDir);
  const blobs = new BlobLibrary(blobStore, config.clock, blobLimits);
  let running: {
    logger: Logger;
    apps: FastifyInstance[];
    writer: RelayWriter;
    sfu: SfuService | null;
    stopSweeps: () => Promise<void>;
    bus: RedisClusterBus | null;
    sharedLimits: SharedRateLimits | null;
    queuePoll: NodeJS.Timeout | undefined;
    metricsServer: Server | null;
    sweepStorage: () => Promise<StorageSweepReport>;
  } | null = null;
  const limits = config.diskLimits ?? DEFAULT_DISK_LIMITS;
  let openSockets = 0;
  let sfuService: SfuService | null = null;

  async function start(): Promise<Addresses> {
    if (running) throw new Error('the server is already started');
    const logger = createLogger(config);
    warn = (message) => logger.warn(message);
    await storage.open();
    await blobs.open();
    if ((await storage.getMeta(META_CREATED_AT)) === undefined) {
      await storage.setMeta(META_CREATED_AT, String(config.clock.now()));
    }

    const manifestKeyFile = config.manifestKeyFile ?? join(config.dataDir, MANIFEST_KEY_FILE_NAME);
    const keys = loadOrCreateManifestKeys(manifestKeyFile);
    writePublicKeys(config.dataDir, keys);
    // Several nodes on one database: refused here when its keys or release files differ from theirs.
    if (config.databaseUrl) await refuseUnlikeOtherNodes(logger, keys, manifestKeyFile);
    if (keys.created) logger.info({ keyIds: keys.pinned.map((key) => key.keyId) }, 'generated the manifest signing keys (current and next)');
    // Filled in once the remote origins listen; the manifest route resolves release URLs with it.
    const remoteOrigins: Partial<Record<'chat' | 'call', string>> = {};

    const hub = new RelayHub();
    // Several nodes on one database: Redis carries "look again", displacement and removal between them.
    const bus = config.redisUrl
      ? await RedisClusterBus.start(config.redisUrl, hub, (error) => logger.warn({ err: { message: error.message } }, 'cluster bus (Redis)'))
      : null;
    if (bus) hub.attachBus(bus, (error) => logger.warn({ err: { message: error.message } }, 'cluster bus (Redis)'));
    // Several nodes without Redis: what another node queued is found by reading every queue again.
    const queuePoll = config.queuePollMs ? setInterval(() => hub.lookAgainAll(), config.queuePollMs) : undefined;
    // Read by the metrics once everything they count exists (below).
    let metrics: ServerMetrics | null = null;
    const writer = new RelayWriter(storage, config.clock, (envelopes) => {
      if (metrics) metrics.relayMessages += envelopes.length;
      return hub.offer(envelopes);
    }, limits);
    const auth = new DeviceAuthenticator(storage, { clock: config.clock });
    const rates = config.rateLimits;
    // Several nodes joined by Redis: the API's buckets are shared, so no node is a way around them.
    const sharedLimits = config.redisUrl
      ? await SharedRateLimits.start(config.redisUrl, config.clock, (error) => logger.warn({ err: { message: error.message } }, 'shared rate limits (Redis)'))
      : null;
    const requestLimiter = (name: string, limit: RateLimit | null | undefined): RequestLimiter =>
      sharedLimits ? sharedLimits.limiter(name, limit ?? null) : new RateLimiter(limit ?? null, config.clock);
    // One set of buckets for every listener: the shell's origin is no way around a limit.
    const context: ApiContext = {
      auth,
      deviceLimiter: requestLimiter('api', rates?.api),
      anonymousLimiter: requestLimiter('anonymous', rates?.anonymous),
      keyUploadLimiter: requestLimiter('key-uploads', rates?.keyUploads),
    };
    // Per device, on the one node holding the device's relay connection.
    const sendLimiter = new RateLimiter(rates?.relaySends ?? null, config.clock);
    const bundleFetchLimiter = requestLimiter('bundle-fetches', rates?.bundleFetches);
    const frameLimiter = new RateLimiter(rates?.relayFrames ?? null, config.clock);
    // One count for both listeners (API port and the shell's origin), like the rate limits.
    const connections = config.relayConnectionCaps ? new RelayConnectionCounter(config.relayConnectionCaps) : undefined;
    // Call links end their calls through the SFU, which is started just below (null when off).
    let sfu: SfuService | null = null;
    const callLinks = new CallLinkDirectory({
      storage,
      clock: config.clock,
      log: logger.child({ component: 'call-links' }),
      endCall: async (callId, reason) => sfu?.endCall(callId, reason),
    });
    // Group calls: Janus started or connected here, so relay sockets can hand it `sfu` frames.
    sfu = await startSfuService({
      janus: config.janus ?? { mode: 'off' },
      dataDir: config.dataDir,
      storage,
      hub,
      clock: config.clock,
      log: logger.child({ component: 'sfu' }),
      rateLimit: sfuRateLimit(rates),
      openCallsPerUser: limits.openGroupCallsPerUser,
      ...(config.sfuDisconnectGraceMs !== undefined ? { disconnectGraceMs: config.sfuDisconnectGraceMs } : {}),
      ...(config.sfuEmptyCallTimeoutMs !== undefined ? { emptyCallTimeoutMs: config.sfuEmptyCallTimeoutMs } : {}),
      ...(config.sfuCallLeaseMs !== undefined ? { callLeaseMs: config.sfuCallLeaseMs } : {}),
      ...(config.redisUrl ? { redisUrl: config.redisUrl } : {}),
      callLinks,
    });
    const sweepOptions = { storage, hub, clock: config.clock, log: logger.child({ component: 'storage-sweeps' }), limits };
    // On one node of those sharing the database (a lease in it); another takes over if it dies.
    const stopSweeps = await startSweeps({
      leases: storage,
      clock: config.clock,
      log: logger,
      ...(config.leaderLeaseMs ? { leaseMs: config.leaderLeaseMs } : {}),
      storage: sweepOptions,
      callLinks,
      blobs,
    });
    const blobDownloadLimiter = requestLimiter('blob-downloads', rates ? blobLimits.downloadRate : null);
    sfuService = sfu;
    const limiters = { api: context.deviceLimiter, anonymous: context.anonymousLimiter, keyUploads: context.keyUploadLimiter, relaySends: sendLimiter, bundleFetches: bundleFetchLimiter, relayFrames: frameLimiter, blobDownloads: blobDownloadLimiter };
    metrics = new ServerMetrics({
      connectedDevices: () => hub.size,
      openSockets: () => openSockets,
      queueDepth: async () => (await storage.queuedEnvelopeCount?.()) ?? 0,
      groupCalls: () => sfu?.calls.stats() ?? { calls: 0, participants: 0 },
      janusRooms: () => [...(sfu?.calls.stats().roomsByInstance ?? [])].map(([instance, rooms]) => ({ instance, rooms })),
      rateLimitRefusals: () => Object.fromEntries(Object.entries(limiters).map(([name, limiter]) => [name, limiter?.refusals ?? 0])),
    });
    const countErrors = (app: FastifyInstance, origin: string) =>
      app.addHook('onResponse', async (_request, reply) => {
        if (reply.statusCode >= 500) metrics?.countError(origin);
      });
    const onSession = (event: 'open' | 'close') => {
      openSockets += event === 'open' ? 1 : -1;
    };
    const registerApi = async (app: FastifyInstance) => {
      registerCallerLimits(app, context);
      registerHealthRoute(app, { version: config.version, storage: storage.kind });
      registerManifestRoute(app, {
        registry,
        storage,
        keys,
        clock: config.clock,
        ttlMs: config.manifestTtlMs,
        auth,
        originFor: (name) => config.remoteOrigins?.[name] ?? remoteOrigins[name],
      });
      registerSettingsRoutes(app, { ...context, storage, clock: config.clock });
      registerAccountsRoutes(app, { ...context, storage, hub, clock: config.clock, bundleFetchLimiter, preKeyCaps: limits });
      registerLinkRoutes(app, {
        ...context,
        storage,
        hub,
        clock: config.clock,
        pollTimeoutMs: config.linkPollTimeoutMs,
        // On a shared database another node may take the provision: look for it every second.
        ...(config.databaseUrl ? { recheckMs: LINK_POLL_RECHECK_MS } : {}),
      });
      registerTurnRoute(app, { ...context, turn: config.turn ?? null, clock: config.clock });
      registerCallLinkRoutes(app, { ...context, storage, links: callLinks });
      registerGuestRoutes(app, { ...context, storage, hub, clock: config.clock });
      registerBlobRoutes(app, { ...context, blobs, downloadLimiter: blobDownloadLimiter });
      await registerRelaySocket(app, {
        hub,
        storage,
        writer,
        auth,
        sendLimiter,
        frameLimiter,
        ...(connections ? { connections } : {}),
        ...(config.relayConnectionCaps ? { maxBufferedBytes: config.relayConnectionCaps.maxBufferedBytes } : {}),
        ...(config.relayConnectionCaps?.deliveryWindowBytes ? { deliveryWindowBytes: config.relayConnectionCaps.deliveryWindowBytes } : {}),
        authTimeoutMs: config.relayAuthTimeoutMs,
        // Configured as one of several nodes (Redis, or polling without it): others write these queues.
        sharedQueues: Boolean(config.redisUrl || config.queuePollMs),
        onSession,
        sfu: sfu?.gateway ?? null,
      });
    };

    // The public origins, once listening: what the manifest hands out and the CSP allows.
    let served: ServedOrigins = { api: '' };
    // Wall time, not the configured clock: it says how stale the cache may be, not a domain time.
    const releaseOrigins = releaseOriginsReader(async () => {
      const entries = (await Promise.all((['chat', 'call'] as const).map((remote) => registry.releases(remote)))).flat().map((release) => release.entry);
      return [...new Set(entries.filter((entry) => /^https?:\/\//.test(entry)).map((entry) => new URL(entry).origin))];
    }, Date.now);
    const appOrigins = async (): Promise<ServedOrigins> => ({ ...served, releaseOrigins: await releaseOrigins() });
    const api = createFastifyApp(logger, 'api', config.trustedProxies);
    registerSecurityHeaders(api, 'api', () => served);
    countErrors(api, 'api');
    await registerApi(api);
    const origins: Array<[AppName, StaticOrigin]> = [];
    for (const name of APP_NAMES) {
      const app = config.apps[name];
      if (!app) continue;
      const origin = serveStatic({
        appName: name,
        root: app.distDir,
        host: config.host,
        port: app.port,
        logger,
        ...(config.trustedProxies ? { trustedProxies: config.trustedProxies } : {}),
        cors: name !== 'shell',
        spaFallback: name === 'shell',
        ...(name === 'shell' ? {} : { releasesRoot: registry.releasesDir(name) }),
      });
      registerSecurityHeaders(origin.app, name, appOrigins);
      countErrors(origin.app, name);
      if (name === 'shell') {
        await registerApi(origin.app);
        // Without this, an unknown API path on the shell's origin would get the SPA's index.html.
        origin.app.all('/api/*', async (request, reply) =>
          sendError(reply, 404, 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`),
        );
      }
      origins.push([name, origin]);
    }

    const metricsServer = config.metricsPort !== undefined ? metricsListener(metrics) : null;
    running = { logger, apps: [api, ...origins.map(([, origin]) => origin.app)], writer, sfu, stopSweeps, bus, sharedLimits, queuePoll, metricsServer, sweepStorage: () => runStorageSweeps(sweepOptions) };
    try {
      await api.listen({ host: config.host, port: config.apiPort });
      const addresses: Addresses = { api: originUrl(api, config.host) };
      if (metricsServer) {
        await new Promise<void>((resolve, reject) => {
          metricsServer.once('error', reject);
          metricsServer.listen(config.metricsPort, config.host, () => resolve());
        });
        const { port: metricsPort } = metricsServer.address() as { port: number };
        addresses.metrics = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${metricsPort}/metrics`;
      }
      for (const [name, origin] of origins) addresses[name] = await origin.listen();
      if (addresses.chat) remoteOrigins.chat = browserFacing(addresses.chat);
      if (addresses.call) remoteOrigins.call = browserFacing(addresses.call);
      const publicOrigin = (name: AppName) => (name === 'shell' ? config.publicOrigins?.shell : config.remoteOrigins?.[name]) ?? (addresses[name] && browserFacing(addresses[name]));
      served = { api: config.publicOrigins?.api ?? browserFacing(addresses.api), shell: publicOrigin('shell'), chat: publicOrigin('chat'), call: publicOrigin('call') };
      if (config.publishLocalBuilds) await publishLocalReleases(logger);
      logger.info({ addresses, dataDir: config.dataDir }, 'parley server started');
      return addresses;
    } catch (error) {
      // A port already in use must not leave the other listeners or the store open.
      await stop();
      throw error;
    }
  }

  async function stop(): Promise<void> {
    if (!running) return;
    const { logger, apps, writer, sfu, stopSweeps, bus, sharedLimits, queuePoll, metricsServer } = running;
    running = null;
    clearInterval(queuePoll);
    await stopSweeps();
    if (metricsServer?.listening) {
      metricsServer.closeAllConnections();
      await new Promise((resolve) => metricsServer.close(resolve));
    }
    sfuService = null;
    await Promise.allSettled(apps.map((app) => closeGracefully(app, SHUTDOWN_GRACE_MS)));
    await sfu?.stop();
    // Sends accepted before the close are committed (and were or will not be acknowledged) first.
    await writer.drain();
    await bus?.stop();
    await sharedLimits?.stop();
    await storage.close();
    logger.info('parley server stopped');
  }

  async function refuseUnlikeOtherNodes(logger: Logger, manifestKeys: ManifestKeys, manifestKeyFile: string): Promise<void> {
    const remotes = (['chat', 'call'] as const).filter((remote) => config.apps[remote]);
    const groupCalls = (config.janus?.mode ?? 'off') !== 'off';
    try {
      await assertSameSetupAsOtherNodes(
        storage,
        {
          manifestKeys,
          manifestKeyFile,
          ...(groupCalls ? { roomKey: { fingerprint: RoomSecrets.fromDataDir(config.dataDir).fingerprint(), file: join(config.dataDir, ROOM_KEY_FILE_NAME) } } : {}),
          releases: await Promise.all(remotes.map(async (remote) => ({ remote, dir: registry.releasesDir(remote), missing: await registry.localReleasesMissing(remote) }))),
        },
        logger,
      );
    } catch (error) {
      await storage.close();
      throw error;
    }
  }

  async function publishLocalReleases(logger: Logger): Promise<void> {
    const builds: Parameters<typeof publishLocalBuilds>[2] = {};
    for (const name of ['chat', 'call'] as const) {
      const app = config.apps[name];
      if (app) builds[name] = app.distDir;
    }
    for (const outcome of await publishLocalBuilds(registry, storage, builds)) {
      if (outcome.status === 'missing') logger.warn({ remote: outcome.remote }, 'not built, no release published: run `npm run build`');
      else if (outcome.renamed) {
        logger.warn(outcome, 'the build differs from the release already published under its version (releases are immutable): published it as a local version');
      } else if (outcome.status === 'published' || outcome.madeDefault) logger.info(outcome, 'published the local build as a release');
    }
  }

  async function sweepStorage(): Promise<StorageSweepReport> {
    if (!running) throw new Error('the server is not started');
    return running.sweepStorage();
  }

  async function sweepBlobs(): Promise<BlobSweepReport> {
    if (!running) throw new Error('the server is not started');
    return blobs.sweep();
  }

  return { start, stop, storage, registry, openRelaySockets: () => openSockets, sfu: () => sfuService, sweepStorage, sweepBlobs };
}
