/**
 * The security headers of every origin the server answers on. The shell's page holds the identity
 * key and the device token: it may run script only from the shell and the two remote origins, talk
 * only to the API and those origins, start workers only from blobs (the SFrame worker, started from
 * checked bytes) and the one notification service worker, and never be framed. Camera, microphone and screen capture belong to the shell's
 * origin alone. The policy names the configured public origins, so it holds behind a proxy as on
 * loopback; HTTPS origins also get HSTS.
 */
import type { FastifyInstance } from 'fastify';

/** Who answers: the API listener, or one app's origin (the shell's also serves the API). */
export type OriginRole = 'api' | 'shell' | 'chat' | 'call';

/** The public base URLs browsers use for each origin (known once the server listens). */
export interface ServedOrigins {
  readonly api: string;
  readonly shell?: string | undefined;
  readonly chat?: string | undefined;
  readonly call?: string | undefined;
  /** Origins of releases registered as hosted elsewhere (a CDN, `--entry-url`): the manifest hands them out too. */
  readonly releaseOrigins?: readonly string[];
}

/** The shell's notification service worker (apps/shell/public/notifications-sw.js), the one script served as a service worker. */
export const NOTIFICATION_WORKER_PATH = '/notifications-sw.js';

/**
 * Names a server on loopback answers to: a page may be opened under any of them. Not `[::1]`: CSP's
 * host-source grammar has no IPv6 literals (Chromium ignores such a source and says so).
 */
const LOOPBACK_HOSTS = ['localhost', '127.0.0.1'];

/**
 * The notification worker's exact URL on the shell's origin, for `worker-src`: one URL for a public
 * origin; on loopback one per name of the machine (`npm start` prints localhost, tests use 127.0.0.1).
 */
export function notificationWorkerSources(shell: string | undefined): string[] {
  if (shell === undefined) return [];
  const origin = new URL(shell);
  const hosts = LOOPBACK_HOSTS.includes(origin.hostname) ? LOOPBACK_HOSTS : [origin.hostname];
  return hosts.map((host) => `${origin.protocol}//${host}${origin.port ? `:${origin.port}` : ''}${NOTIFICATION_WORKER_PATH}`);
}

/** A year: long enough that HSTS means something, the value browsers' preload lists ask for. */
const HSTS_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** The WebSocket origin (`ws:`/`wss:`) of an http(s) origin: CSP's `connect-src` lists it separately. */
function webSocketOrigin(origin: string): string {
  return origin.replace(/^http/, 'ws');
}

function unique(values: ReadonlyArray<string | undefined>): string[] {
  return [...new Set(values.filter((value): value is string => value !== undefined))];
}

/** The Content-Security-Policy of a page served by `role`'s origin. */
export function contentSecurityPolicy(role: OriginRole, origins: ServedOrigins): string {
  if (role === 'api') {
    // JSON and a WebSocket: nothing here is a page that may load anything.
    return "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
  }
  const releases = origins.releaseOrigins ?? [];
  const code = unique([origins.shell, origins.chat, origins.call, ...releases]);
  const connect = unique([origins.shell, origins.shell && webSocketOrigin(origins.shell), origins.api, webSocketOrigin(origins.api), origins.chat, origins.call, ...releases]);
  return [
    "default-src 'none'",
    `script-src 'self' ${code.join(' ')}`,
    `style-src 'self' ${code.join(' ')}`,
    `img-src 'self' ${code.join(' ')} blob:`,
    `font-src 'self' ${code.join(' ')}`,
    `connect-src 'self' ${connect.join(' ')}`,
    // The SFrame worker starts from a blob of bytes checked against the release (apps/call). The
    // shell's notification service worker is named by its exact URL, not 'self': no other script of
    // the origin may become a worker. It has no fetch handler, so what the page loads stays checked.
    ['worker-src blob:', ...notificationWorkerSources(origins.shell)].join(' '),
    // Ringtones and remote media play from MediaStreams and generated audio, never a URL.
    "media-src 'self' blob:",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** The Permissions-Policy: capture devices for the shell (where the call app runs), for nobody else. */
export function permissionsPolicy(role: OriginRole): string {
  const allow = role === 'shell' ? '(self)' : '()';
  return `camera=${allow}, microphone=${allow}, display-capture=${allow}`;
}

/** Every security header `role`'s origin sends. */
export function securityHeaders(role: OriginRole, origins: ServedOrigins): Record<string, string> {
  const headers: Record<string, string> = {
    'content-security-policy': contentSecurityPolicy(role, origins),
    'referrer-policy': 'no-referrer',
    'permissions-policy': permissionsPolicy(role),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
  };
  // Only when browsers reach this origin over HTTPS (directly or through a TLS proxy): sent over
  // plain HTTP it would be ignored, and on localhost it would pin the developer's browser to HTTPS.
  if (origins[role]?.startsWith('https://')) headers['strict-transport-security'] = `max-age=${HSTS_MAX_AGE_SECONDS}`;
  return headers;
}

/** Sends `role`'s security headers on every answer of `app`, errors included; `origins` is asked per request. */
export function registerSecurityHeaders(app: FastifyInstance, role: OriginRole, origins: () => ServedOrigins | Promise<ServedOrigins>): void {
  app.addHook('onRequest', async (_request, reply) => {
    reply.headers(securityHeaders(role, await origins()));
  });
}

/**
 * The origins of releases hosted elsewhere, read from the registry at most every `maxAgeMs`: the
 * release CLI registers them from another process, so there is nothing to be told by, and a read
 * per static file would be a database round trip per chunk.
 */
export function releaseOriginsReader(read: () => Promise<readonly string[]>, now: () => number, maxAgeMs = 1_000): () => Promise<readonly string[]> {
  let cached: { at: number; origins: readonly string[] } | null = null;
  return async () => {
    if (cached && now() - cached.at < maxAgeMs) return cached.origins;
    const origins = await read();
    cached = { at: now(), origins };
    return origins;
  };
}
