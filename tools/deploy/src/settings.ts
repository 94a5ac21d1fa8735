/**
 * What one deployment is: the operator's domain names and the few choices that differ between
 * servers. Everything else (ports on loopback, paths) has a fixed value here, so the Caddyfile, the
 * environment file, the units and coturn's configuration always agree with each other.
 */
import { isIP } from 'node:net';

/** Where a deployment keeps its files (under the `--root` prefix in tests). */
export const PATHS = {
  /** The server's data folder: database, manifest signing keys, SFU room key, releases. */
  dataDir: '/var/lib/parley',
  /** Settings and secrets outside the data folder. */
  configDir: '/etc/parley',
  envFile: '/etc/parley/parley.env',
  /** The settings of the last run, so an upgrade needs no flags. */
  settingsFile: '/etc/parley/deploy.json',
  turnSecretFile: '/etc/parley/turn-secret',
  coturnConfig: '/etc/parley/turnserver.conf',
  caddyfile: '/etc/caddy/Caddyfile',
  serverUnit: '/etc/systemd/system/parley.service',
  coturnUnit: '/etc/systemd/system/parley-coturn.service',
} as const;

/** The system account the server runs as. */
export const SERVICE_USER = 'parley';

/** Loopback ports the server listens on behind Caddy (none is reachable from outside). */
export const UPSTREAM_PORTS = { api: 8080, shell: 4200, chat: 4201, call: 4202, metrics: 9464 } as const;

/** One deployment's choices. */
export interface DeploySettings {
  /** The shell's host, which also serves the API and the relay WebSocket: `parley.example`. */
  readonly domain: string;
  /** The chat app's host (`chat.<domain>` by default). */
  readonly chatDomain: string;
  /** The call app's host (`call.<domain>` by default). */
  readonly callDomain: string;
  /** Where the certificate authority (Let's Encrypt) sends expiry notices; optional. */
  readonly acmeEmail?: string;
  /** `acme`: public certificates (the default); `internal`: Caddy's own CA (tests, a private network). */
  readonly tls: 'acme' | 'internal';
  /** The server's public address when it sits behind 1:1 NAT (most clouds): coturn and Janus announce it. */
  readonly publicIp?: string;
  /** coturn's port for TURN over UDP and TCP. */
  readonly turnPort: number;
  /** UDP ports coturn relays media on. */
  readonly turnRelayPorts: string;
  /** UDP ports Janus takes group-call media on. */
  readonly janusRtpPorts: string;
}

/** The defaults of a deployment on `domain`. */
export function defaultSettings(domain: string): DeploySettings {
  return {
    domain,
    chatDomain: `chat.${domain}`,
    callDomain: `call.${domain}`,
    tls: 'acme',
    turnPort: 3478,
    turnRelayPorts: '49152-65535',
    janusRtpPorts: '20000-29999',
  };
}

/** A refused setting: says which and why, for the operator. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/;

/** Checks settings before anything is written: they end up in config files verbatim. */
export function checkSettings(settings: DeploySettings): DeploySettings {
  for (const [name, host] of [
    ['--domain', settings.domain],
    ['--chat-domain', settings.chatDomain],
    ['--call-domain', settings.callDomain],
  ] as const) {
    if (!HOST_NAME.test(host)) throw new SettingsError(`${name} must be a host name such as parley.example.org, got "${host}"`);
  }
  if (new Set([settings.domain, settings.chatDomain, settings.callDomain]).size !== 3) {
    throw new SettingsError('the shell, chat and call need three different host names: each app runs in its own origin');
  }
  if (settings.acmeEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(settings.acmeEmail)) {
    throw new SettingsError(`--email must be an e-mail address, got "${settings.acmeEmail}"`);
  }
  if (settings.publicIp !== undefined && !isIP(settings.publicIp)) throw new SettingsError(`--public-ip must be an IP address, got "${settings.publicIp}"`);
  for (const [name, range] of [
    ['--turn-relay-ports', settings.turnRelayPorts],
    ['--janus-rtp-ports', settings.janusRtpPorts],
  ] as const) {
    const [low, high] = range.split('-').map(Number);
    if (!/^\d+-\d+$/.test(range) || !low || !high || low < 1024 || high > 65_535 || low >= high) {
      throw new SettingsError(`${name} must be a port range such as 20000-29999, got "${range}"`);
    }
  }
  return settings;
}

/** `[low, high]` of a range such as `20000-29999`. */
export function portRange(range: string): [number, number] {
  const [low, high] = range.split('-').map(Number);
  return [low!, high!];
}
