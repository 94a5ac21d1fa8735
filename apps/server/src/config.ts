/**
 * The server's configuration: one plain object, so tests build it directly (port 0, a temp data
 * folder, a fake clock) and `main.ts` is the only place that reads the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type WallClock, systemClock } from '@parley/clock';
import type { DestinationStream, Level } from 'pino';
import { DEFAULT_DISK_LIMITS, type DiskLimits } from './limits/disk-limits.js';
import { DEFAULT_BLOB_LIMITS, type BlobLimits } from './blobs/blob-limits.js';

/** Apps served from their own origin, as if each were deployed separately. */
export const APP_NAMES = ['shell', 'chat', 'call'] as const;
export type AppName = (typeof APP_NAMES)[number];

/** Where one app's origin listens and which built folder it serves. */
export interface AppOriginConfig {
  port: number;
  distDir: string;
}

/**
 * `development` (the default, `npm start`): the embedded conveniences, such as publishing the local
 * builds at start. `production` (`PARLEY_ENV=production`): none of them; releases come only from
 * the release CLI, and HTTPS origins get HSTS.
 */
export type ServerEnvironment = 'development' | 'production';

/** The public base URLs browsers use, when they differ from the addresses the server listens on (a proxy, TLS). */
export interface PublicOrigins {
  shell?: string;
  api?: string;
}

export interface ServerConfig {
  /** `development` or `production` (PARLEY_ENV); see ServerEnvironment. */
  environment: ServerEnvironment;
  /** Holds the database, the manifest signing keys and `releases/`; created on first start. */
  dataDir: string;
  /**
   * PARLEY_DATABASE_URL: `postgres://…` puts the state in that PostgreSQL database, shared by
   * several nodes (storage/postgres-storage.ts); absent, the SQLite file in `dataDir`.
   */
  databaseUrl?: string;
  /**
   * PARLEY_REDIS_URL (`redis://…` or `unix:/path/to/redis.sock`): how nodes sharing one PostgreSQL
   * tell each other that something was queued for a device, or that it connected elsewhere
   * (relay/cluster-bus.ts); absent, a node knows only its own connections.
   */
  redisUrl?: string;
  /**
   * PARLEY_QUEUE_POLL_MS: several nodes without Redis. Every connected device's queue is read again
   * this often, so what another node queued arrives within it: slower, and one query per device per
   * interval. Absent: no polling (one node, or nodes joined by Redis).
   */
  queuePollMs?: number;
  host: string;
  /** API and relay WebSocket; 0 picks a free port. */
  apiPort: number;
  /** The app origins to start; leave one out (or all) to serve only the API. */
  apps: Partial<Record<AppName, AppOriginConfig>>;
  /** How long a new relay connection may take to send its `auth` frame. */
  relayAuthTimeoutMs: number;
  /** How long an evaluated manifest stays valid: short, so a kill switch takes effect soon. */
  manifestTtlMs: number;
  /** Where every expiry, sweep and rate limit reads the time; tests pass a ManualClock (`@parley/clock/testing`). */
  clock: WallClock;
  /** Reported by `/api/health`. */
  version: string;
  logLevel: Level | 'silent';
  /**
   * The embedded default: publish the remotes built in their `distDir` as releases at start and make
   * them the default (see local-builds.ts).
   */
  publishLocalBuilds: boolean;
  /** The manifest signing keys (generated there on first start); `<dataDir>/manifest-signing-keys.json` when absent. */
  manifestKeyFile?: string;
  /** Public base URLs of the remote origins, when they differ from the addresses they listen on. */
  remoteOrigins?: Partial<Record<'chat' | 'call', string>>;
  /** Public base URLs of the shell and the API origins; the Content-Security-Policy names these. */
  publicOrigins?: PublicOrigins;
  /** Where log lines go; stdout when absent. Tests pass a stream to read them. */
  logDestination?: DestinationStream;
  /** Per-device (per-address before sign-in) token buckets; `null` turns limiting off (benchmarks). */
  rateLimits: RateLimits | null;
  /**
   * Addresses (or CIDR ranges) of the reverse proxies in front of this server: only requests from
   * them have their `X-Forwarded-For` believed. Empty: every caller is who the socket says.
   */
  trustedProxies?: readonly string[];
  /** Caps on relay WebSockets, so one address or account cannot hold thousands of sockets. */
  relayConnectionCaps?: RelayConnectionCaps;
  /** How long `GET /api/link/requests/:id` holds the request open while waiting for the provision. */
  linkPollTimeoutMs: number;
  /** Commit relay writes on a worker thread, so the event loop never waits for an fsync. */
  relayCommitThread: boolean;
  /** coturn with `use-auth-secret`: `GET /api/turn` issues credentials for it; absent = no TURN. */
  turn?: TurnConfig | null;
  /** The SFU for group calls (Janus VideoRoom); absent = off. */
  janus?: JanusConfig;
  /** How long a device whose relay WebSocket closed stays in its group calls (default 15 s). */
  sfuDisconnectGraceMs?: number;
  /** An empty group call (nobody joined yet, or all gone after an SFU restart) ends after this (default 5 min). */
  sfuEmptyCallTimeoutMs?: number;
  /** How long a node's lease on a group call lasts unless renewed: a dead node's calls move after this (default 6 s). */
  sfuCallLeaseMs?: number;
  /** Port of the Prometheus listener (`/metrics`) on `host`, apart from every public origin; absent = none. */
  metricsPort?: number;
  /** Queue quotas, expiries and caps on what is stored (disk-limits.ts); DEFAULT_DISK_LIMITS when absent. */
  diskLimits?: DiskLimits;
  /** Attachment blob quota, sizes and expiry (blobs/blob-limits.ts); DEFAULT_BLOB_LIMITS when absent. */
  blobLimits?: BlobLimits;
  /** PARLEY_LEADER_LEASE_MS: how long the sweeps' leader lease lasts unrenewed (cluster/leader-lease.ts; default 30 s). */
  leaderLeaseMs?: number;
}

/**
 * Where group calls get their SFU: `off`; `auto` starts the installed Janus as a child process;
 * `urls` uses Janus instances already running (their WebSocket API, on loopback or a private network).
 */
export type JanusConfig =
  | { mode: 'off'; /** Set when `auto` found no Janus: the server logs how to install it. */ notInstalled?: boolean }
  | {
      mode: 'auto';
      binary: string;
      /** The only interface Janus uses for ICE (`-E`). */
      iceInterface?: string;
      /** UDP media ports (`20000-29999`), for the firewall. */
      rtpPortRange?: string;
      /** The public address behind 1:1 NAT, announced in candidates. */
      publicIp?: string;
    }
  | { mode: 'urls'; urls: string[]; /** Janus's `api_secret`, when it has one. */ apiSecret?: string };

/** Where Debian's `janus` package puts the binary. */
export const DEFAULT_JANUS_BINARY = '/usr/bin/janus';

/** A TURN server sharing its `static-auth-secret` with this server (TURN REST credentials). */
export interface TurnConfig {
  /** e.g. `turn:turn.example:3478?transport=udp`. */
  readonly urls: readonly string[];
  readonly secret: string;
  /** How long an issued credential works. */
  readonly ttlSeconds: number;
  /** Tell clients to use relay candidates only (hides their addresses from the peer). */
  readonly relayOnly: boolean;
}

/** A token bucket: `burst` requests at once, refilled at `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** The limits per kind of caller. */
export interface RateLimits {
  /** Authenticated HTTP requests, per device. */
  api: RateLimit;
  /** Requests without a device token (account creation, the new device's side of linking), per address (IPv6: /64). */
  anonymous: RateLimit;
  /**
   * Absent (here and below): not limited. A device's key uploads (each ~100 signatures to check);
   * account creation, linking and guests carry keys too and are held to `anonymous`.
   */
  keyUploads?: RateLimit;
  /** Prekey-bundle fetches per (requesting device, target user): nobody drains a victim's one-time keys. */
  bundleFetches?: RateLimit;
  /** Relay `send` frames, per device. */
  relaySends: RateLimit;
  /** Every relay frame of one connection (pings, acks, stray frames), on top of the per-kind limits. */
  relayFrames?: RateLimit;
  /** Relay `sfu` frames (group-call signaling, ICE candidates included), per device. */
  sfuRequests?: RateLimit;
}

/** Generous for a person, tight for a script: a flood is slowed, a chat never is. */
export const DEFAULT_RATE_LIMITS: RateLimits = {
  api: { burst: 60, perSecond: 10 },
  anonymous: { burst: 20, perSecond: 1 },
  // A device uploads keys at registration, when its one-time keys run low and at a signed-prekey
  // rotation: a few a day. Each body may carry ~100 signatures to check.
  keyUploads: { burst: 5, perSecond: 1 / 30 },
  // A session is set up once per contact device; a retry or a new device of theirs needs another.
  bundleFetches: { burst: 10, perSecond: 1 / 30 },
  relaySends: { burst: 300, perSecond: 50 },
  // Acks follow deliveries one for one, so this is above what a catching-up device receives.
  relayFrames: { burst: 1_000, perSecond: 300 },
  // A join trickles a few dozen candidates at once; renegotiations come in short bursts.
  sfuRequests: { burst: 120, perSecond: 20 },
};

/** Most relay WebSockets open at once from one address (IPv6: /64), and per account. */
export interface RelayConnectionCaps {
  perAddress: number;
  perAccount: number;
  /** Bytes queued for a socket that is not reading, past which it is closed. */
  maxBufferedBytes: number;
  /** Ciphertext bytes delivered and not acked per socket (default 4 MiB, well under maxBufferedBytes). */
  deliveryWindowBytes?: number;
}

export const DEFAULT_RELAY_CONNECTION_CAPS: RelayConnectionCaps = {
  // An office or a carrier-grade NAT puts many people behind one address.
  perAddress: 200,
  // One socket per device (a newer one displaces the older), plus sockets still authenticating.
  perAccount: 2 * 127,
  maxBufferedBytes: 16 * 1024 * 1024,
};

/** Version of this server, from its package.json. */
export const SERVER_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The repository root, two levels above this app; default dist folders are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Reads the configuration from `PARLEY_*` variables, with the defaults of ARCHITECTURE "Defaults". */
export function configFromEnv(env: NodeJS.ProcessEnv, repoRoot: string = REPO_ROOT): ServerConfig {
  const app = (name: AppName, defaultPort: number): AppOriginConfig => ({
    port: port(env, `PARLEY_${name.toUpperCase()}_PORT`, defaultPort),
    distDir: resolve(env[`PARLEY_${name.toUpperCase()}_DIST`] ?? resolve(repoRoot, 'apps', name, 'dist')),
  });
  const environment = env.PARLEY_ENV ?? 'development';
  if (environment !== 'development' && environment !== 'production') throw new Error(`PARLEY_ENV must be development or production, got "${environment}"`);
  const remoteOrigins = definedOrigins(env, { chat: 'PARLEY_CHAT_ORIGIN', call: 'PARLEY_CALL_ORIGIN' });
  const publicOrigins = definedOrigins(env, { shell: 'PARLEY_SHELL_ORIGIN', api: 'PARLEY_API_ORIGIN' });
  const logLevel = env.PARLEY_LOG_LEVEL ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new Error(`PARLEY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  return {
    environment,
    dataDir: resolve(env.PARLEY_DATA_DIR ?? './data'),
    ...databaseFromEnv(env),
    host: env.PARLEY_HOST ?? '127.0.0.1',
    apiPort: port(env, 'PARLEY_API_PORT', 8080),
    apps: { shell: app('shell', 4200), chat: app('chat', 4201), call: app('call', 4202) },
    relayAuthTimeoutMs: 5_000,
    manifestTtlMs: 5 * 60_000,
    clock: systemClock,
    version: SERVER_VERSION,
    logLevel: logLevel as ServerConfig['logLevel'],
    // A development convenience: in production only the release CLI publishes what browsers run.
    publishLocalBuilds: environment === 'development',
    ...(Object.keys(remoteOrigins).length > 0 ? { remoteOrigins } : {}),
    ...(Object.keys(publicOrigins).length > 0 ? { publicOrigins } : {}),
    ...(env.PARLEY_MANIFEST_KEY_FILE ? { manifestKeyFile: resolve(env.PARLEY_MANIFEST_KEY_FILE) } : {}),
    // Off only for load tests and benchmarks that flood on purpose.
    rateLimits: env.PARLEY_RATE_LIMITS === 'off' ? null : DEFAULT_RATE_LIMITS,
    trustedProxies: trustedProxiesFromEnv(env),
    // A load generator opens its 1,000 sockets from one address: off together with the rate limits.
    ...(env.PARLEY_RATE_LIMITS === 'off' ? {} : { relayConnectionCaps: DEFAULT_RELAY_CONNECTION_CAPS }),
    linkPollTimeoutMs: 25_000,
    relayCommitThread: true,
    diskLimits: DEFAULT_DISK_LIMITS,
    blobLimits: blobLimitsFromEnv(env),
    turn: turnFromEnv(env),
    janus: janusFromEnv(env),
    ...(env.PARLEY_QUEUE_POLL_MS ? { queuePollMs: Math.max(1, milliseconds(env, 'PARLEY_QUEUE_POLL_MS')) } : {}),
    ...(env.PARLEY_SFU_GRACE_MS ? { sfuDisconnectGraceMs: milliseconds(env, 'PARLEY_SFU_GRACE_MS') } : {}),
    ...(env.PARLEY_LEADER_LEASE_MS ? { leaderLeaseMs: Math.max(300, milliseconds(env, 'PARLEY_LEADER_LEASE_MS')) } : {}),
    ...(env.PARLEY_SFU_LEASE_MS ? { sfuCallLeaseMs: Math.max(300, milliseconds(env, 'PARLEY_SFU_LEASE_MS')) } : {}),
    // Off unless asked for: a metrics port is a deployment's choice (tools/deploy sets 9464).
    ...(env.PARLEY_METRICS_PORT ? { metricsPort: port(env, 'PARLEY_METRICS_PORT', 0) } : {}),
  };
}

/** `PARLEY_BLOB_QUOTA_BYTES`: the bytes of attachments one account may store (default 1 GiB). */
export function blobLimitsFromEnv(env: NodeJS.ProcessEnv): BlobLimits {
  const quota = env.PARLEY_BLOB_QUOTA_BYTES;
  if (quota === undefined || quota === '') return DEFAULT_BLOB_LIMITS;
  const bytes = Number(quota);
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new Error(`PARLEY_BLOB_QUOTA_BYTES must be a positive number of bytes, got "${quota}"`);
  return { ...DEFAULT_BLOB_LIMITS, quotaBytesPerAccount: bytes };
}

/** `PARLEY_DATABASE_URL`: a PostgreSQL URL, or nothing for the SQLite default; `PARLEY_REDIS_URL` beside it. */
export function databaseFromEnv(env: NodeJS.ProcessEnv): Pick<ServerConfig, 'databaseUrl' | 'redisUrl'> {
  const url = env.PARLEY_DATABASE_URL?.trim();
  const redisUrl = env.PARLEY_REDIS_URL?.trim();
  if (redisUrl && !/^(rediss?:\/\/|unix:\/)/.test(redisUrl)) throw new Error('PARLEY_REDIS_URL must be a redis://, rediss:// or unix:/path URL');
  if (redisUrl && !url) throw new Error('PARLEY_REDIS_URL joins nodes that share a database: set PARLEY_DATABASE_URL too');
  if (!url) return {};
  if (!/^postgres(ql)?:\/\//.test(url)) throw new Error('PARLEY_DATABASE_URL must be a postgres:// (or postgresql://) URL; leave it unset for SQLite');
  return { databaseUrl: url, ...(redisUrl ? { redisUrl } : {}) };
}

/**
 * `PARLEY_JANUS`: `off`, `auto` (the default when /usr/bin/janus exists) or comma-separated URLs of
 * running instances — `ws://` on loopback, `wss://` anywhere else; `PARLEY_JANUS_INTERFACE` is the
 * ICE interface of an auto-started Janus.
 */
export function janusFromEnv(env: NodeJS.ProcessEnv, binary: string = DEFAULT_JANUS_BINARY): JanusConfig {
  const value = (env.PARLEY_JANUS ?? '').trim();
  const iceInterface = env.PARLEY_JANUS_INTERFACE?.trim();
  const rtpPortRange = env.PARLEY_JANUS_RTP_PORTS?.trim();
  const publicIp = env.PARLEY_JANUS_PUBLIC_IP?.trim();
  if (value === 'off') return { mode: 'off' };
  if (value === '' || value === 'auto') {
    if (rtpPortRange) {
      const [low, high] = rtpPortRange.split('-').map(Number);
      if (!/^\d+-\d+$/.test(rtpPortRange) || !low || !high || low < 1024 || high > 65_535 || low >= high) {
        throw new Error(`PARLEY_JANUS_RTP_PORTS must be a UDP port range such as 20000-29999, got "${rtpPortRange}"`);
      }
    }
    if (publicIp && !isIP(publicIp)) throw new Error(`PARLEY_JANUS_PUBLIC_IP must be an IP address, got "${publicIp}"`);
    if (!existsSync(binary)) return { mode: 'off', notInstalled: true };
    return { mode: 'auto', binary, ...(iceInterface ? { iceInterface } : {}), ...(rtpPortRange ? { rtpPortRange } : {}), ...(publicIp ? { publicIp } : {}) };
  }
  const urls = value.split(',').map((url) => url.trim()).filter(Boolean);
  const bad = urls.find((url) => !/^wss?:\/\/./.test(url));
  if (bad) throw new Error(`PARLEY_JANUS must be off, auto or ws:// URLs, got "${bad}"`);
  // Janus's API carries the rooms' secrets and join tokens: in clear only on this machine (issue 21).
  const remote = urls.find((url) => url.startsWith('ws://') && !onLoopback(url));
  if (remote) throw new Error(`PARLEY_JANUS must use wss:// for a Janus that is not on loopback (127.0.0.0/8, ::1, localhost), got "${remote}"`);
  return { mode: 'urls', urls, ...(env.PARLEY_JANUS_API_SECRET ? { apiSecret: env.PARLEY_JANUS_API_SECRET } : {}) };
}

/**
 * `PARLEY_TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges of the reverse proxies in
 * front of the server (e.g. `127.0.0.1,::1` for Caddy on the same machine), or `loopback`.
 */
function trustedProxiesFromEnv(env: NodeJS.ProcessEnv): string[] {
  const entries = (env.PARLEY_TRUSTED_PROXIES ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  const named = new Set(['loopback', 'linklocal', 'uniquelocal']);
  const bad = entries.find((entry) => !named.has(entry) && !isIP(entry.split('/')[0]!));
  if (bad) throw new Error(`PARLEY_TRUSTED_PROXIES must hold IP addresses, CIDR ranges or loopback, got "${bad}"`);
  return entries;
}

/** Whether a ws:// URL's host is this machine: 127.0.0.0/8, ::1 or localhost. */
function onLoopback(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function milliseconds(env: NodeJS.ProcessEnv, name: string): number {
  const value = Number(env[name]);
  if (!Number.isInteger(value) || value < 0 || value > 3_600_000) throw new Error(`${name} must be 0-3600000 (ms), got "${env[name]}"`);
  return value;
}

/** `PARLEY_TURN_URLS` (comma-separated) and `PARLEY_TURN_SECRET` together, or no TURN. */
function turnFromEnv(env: NodeJS.ProcessEnv): TurnConfig | null {
  const urls = (env.PARLEY_TURN_URLS ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  const secret = env.PARLEY_TURN_SECRET ?? '';
  if (urls.length === 0 && secret === '') return null;
  if (urls.length === 0 || secret === '') throw new Error('PARLEY_TURN_URLS and PARLEY_TURN_SECRET go together: set both, or neither');
  const bad = urls.find((url) => !/^turns?:/.test(url));
  if (bad) throw new Error(`PARLEY_TURN_URLS must hold turn: or turns: URLs, got "${bad}"`);
  const ttl = env.PARLEY_TURN_TTL_SECONDS ? Number(env.PARLEY_TURN_TTL_SECONDS) : 6 * 3600;
  if (!Number.isInteger(ttl) || ttl < 60 || ttl > 7 * 86_400) throw new Error(`PARLEY_TURN_TTL_SECONDS must be 60-604800, got "${env.PARLEY_TURN_TTL_SECONDS}"`);
  return { urls, secret, ttlSeconds: ttl, relayOnly: env.PARLEY_TURN_RELAY_ONLY === '1' };
}

/** The public origins set in `env` (`PARLEY_<APP>_ORIGIN`), each checked to be a bare http(s) origin. */
function definedOrigins<K extends string>(env: NodeJS.ProcessEnv, names: Record<K, string>): Partial<Record<K, string>> {
  const origins: Partial<Record<K, string>> = {};
  for (const [key, name] of Object.entries(names) as Array<[K, string]>) {
    const raw = env[name]?.trim();
    if (!raw) continue;
    let url: URL | null = null;
    try {
      url = new URL(raw);
    } catch {
      url = null;
    }
    // The origin goes into the Content-Security-Policy and the manifest verbatim: no path, no query.
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== raw.replace(/\/$/, '')) {
      throw new Error(`${name} must be an origin such as https://chat.example.org, got "${raw}"`);
    }
    origins[key] = url.origin;
  }
  return origins;
}

function port(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  // A typo here would otherwise surface later as a confusing listen error.
  if (!Number.isInteger(value) || value < 0 || value > 65_535) {
    throw new Error(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return value;
}
