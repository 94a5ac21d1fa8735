/**
 * The configuration files of a deployment, made from its settings: Caddy's, the server's
 * environment file, coturn's configuration and the two systemd units. The examples in `deploy/` are
 * these same renderings for `parley.example` (a test keeps them equal), so what an operator reads is
 * what the tool writes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type DeploySettings, PATHS, SERVICE_USER, UPSTREAM_PORTS, portRange } from './settings.js';

/** The repository's `deploy/` folder. */
export const DEPLOY_FOLDER = fileURLToPath(new URL('../../../deploy/', import.meta.url));

/** Caddy-only choices of a rendering; tests run Caddy unprivileged and without an admin endpoint. */
export interface CaddyOptions {
  /** Turn Caddy's admin API off (no `caddy reload` then; tests). */
  readonly adminOff?: boolean;
  /** Where Caddy stores its CA and certificates, instead of its default data folder (tests). */
  readonly storageDir?: string;
}

/** https origin of a host. */
export const originOf = (host: string) => `https://${host}`;

/** The Caddyfile: automatic HTTPS (HTTP redirects to HTTPS), HTTP/2 and 3, WebSockets passed through. */
export function renderCaddyfile(settings: DeploySettings, options: CaddyOptions = {}): string {
  const global = [
    settings.acmeEmail ? `\t# Let's Encrypt writes here about certificates that fail to renew.\n\temail ${settings.acmeEmail}` : '',
    settings.tls === 'internal'
      ? "\t# Certificates from Caddy's own CA instead of a public one: a private network or a test.\n\t# Browsers must trust that CA (its root is in Caddy's data folder, pki/authorities/local).\n\tlocal_certs\n\tskip_install_trust"
      : '',
    options.adminOff ? '\tadmin off' : '',
    options.storageDir ? `\tstorage file_system ${options.storageDir}` : '',
  ].filter(Boolean);
  const site = (host: string, port: number, what: string) => `# ${what}
${host} {
\treverse_proxy 127.0.0.1:${port} {
\t\t# The server believes X-Forwarded-For only from this proxy (PARLEY_TRUSTED_PROXIES), and this
\t\t# proxy sends only the address it saw: a client's own X-Forwarded-For is replaced, not passed on.
\t\theader_up X-Forwarded-For {remote_host}
\t}
}
`;
  return `# Caddy in front of Parley (Debian package caddy: /etc/caddy/Caddyfile), written by tools/deploy.
# Caddy gets and renews the certificates (ports 80 and 443 must reach it), redirects HTTP to HTTPS,
# speaks HTTP/2 and HTTP/3, and passes WebSockets through. The server listens on loopback only and
# sends its own security headers, cache headers and precompressed (brotli, gzip) files.
${global.length > 0 ? `{\n${global.join('\n')}\n}\n\n` : ''}${site(settings.domain, UPSTREAM_PORTS.shell, 'The shell: the page, the API (/api/…) and the relay WebSocket (/ws), one origin.')}
${site(settings.chatDomain, UPSTREAM_PORTS.chat, 'The chat app, loaded by the shell from its own origin.')}
${site(settings.callDomain, UPSTREAM_PORTS.call, 'The call app, loaded by the shell from its own origin; its releases are under /releases/.')}`;
}

/** The secrets a rendering needs (none of them appear in the examples in deploy/). */
export interface DeploySecrets {
  readonly turnSecret: string;
}

/** One line of the environment file, with the comment that explains it; `value: null` shows it commented out. */
interface EnvSetting {
  readonly name: string;
  readonly value: string | null;
  readonly why: string;
}

/** The TURN URLs browsers get: UDP first (what calls use), TCP for networks that block UDP. */
export function turnUrls(settings: DeploySettings): string {
  return ['udp', 'tcp'].map((transport) => `turn:${settings.domain}:${settings.turnPort}?transport=${transport}`).join(',');
}

/** The server's environment file (`/etc/parley/parley.env`): every setting, each explained. */
export function renderEnvFile(settings: DeploySettings, secrets: DeploySecrets, appDir: string): string {
  const sections: Array<[string, EnvSetting[]]> = [
    [
      'Mode and data',
      [
        { name: 'PARLEY_ENV', value: 'production', why: 'production: no development conveniences; only `release publish` puts code in front of users; HTTPS origins get HSTS.' },
        { name: 'PARLEY_DATA_DIR', value: PATHS.dataDir, why: 'The database, the manifest signing keys, the SFU room key and the published releases. Back it up (README "Backup and restore").' },
        { name: 'PARLEY_MANIFEST_KEY_FILE', value: null, why: `The manifest signing keys (default: <data dir>/manifest-signing-keys.json, mode 0600). The shell build pins their public halves.` },
        { name: 'PARLEY_LOG_LEVEL', value: 'info', why: 'fatal, error, warn, info, debug, trace or silent. Logs go to the journal (journalctl -u parley); they never hold message contents.' },
      ],
    ],
    [
      'Where the server listens (loopback only: Caddy is the way in)',
      [
        { name: 'PARLEY_HOST', value: '127.0.0.1', why: 'The address every listener binds. Keep it on loopback: browsers reach the server through Caddy.' },
        { name: 'PARLEY_API_PORT', value: String(UPSTREAM_PORTS.api), why: "The API and relay on their own port (the shell's origin serves them too; Caddy uses that one)." },
        { name: 'PARLEY_SHELL_PORT', value: String(UPSTREAM_PORTS.shell), why: `The shell's origin, plus /api and /ws: Caddy's upstream for ${settings.domain}.` },
        { name: 'PARLEY_CHAT_PORT', value: String(UPSTREAM_PORTS.chat), why: `The chat's origin: Caddy's upstream for ${settings.chatDomain}.` },
        { name: 'PARLEY_CALL_PORT', value: String(UPSTREAM_PORTS.call), why: `The call app's origin and its releases: Caddy's upstream for ${settings.callDomain}.` },
        { name: 'PARLEY_SHELL_DIST', value: `${appDir}/apps/shell/dist`, why: 'The built shell (tools/deploy builds it pinning this server\'s manifest keys).' },
        { name: 'PARLEY_CHAT_DIST', value: `${appDir}/apps/chat/dist`, why: 'The built chat, served as the chat origin\'s page; users get the chat release the rules name.' },
        { name: 'PARLEY_CALL_DIST', value: `${appDir}/apps/call/dist`, why: 'The built call app, likewise.' },
        { name: 'PARLEY_METRICS_PORT', value: String(UPSTREAM_PORTS.metrics), why: 'Prometheus metrics at http://127.0.0.1:<port>/metrics, on loopback only (never on a public origin). Empty: no metrics.' },
      ],
    ],
    [
      'Public origins (what browsers use; the manifest, CORS and the Content-Security-Policy name them)',
      [
        { name: 'PARLEY_SHELL_ORIGIN', value: originOf(settings.domain), why: 'The shell, where people open Parley.' },
        { name: 'PARLEY_API_ORIGIN', value: originOf(settings.domain), why: "The API and relay WebSocket: the shell's own origin behind Caddy." },
        { name: 'PARLEY_CHAT_ORIGIN', value: originOf(settings.chatDomain), why: 'The chat app, its own origin.' },
        { name: 'PARLEY_CALL_ORIGIN', value: originOf(settings.callDomain), why: 'The call app, its own origin (its release train publishes here).' },
        { name: 'PARLEY_TRUSTED_PROXIES', value: '127.0.0.1,::1', why: "Only Caddy (on this machine) may say who the client is (X-Forwarded-For); rate limits count per real address." },
      ],
    ],
    [
      'Calls through TURN (coturn, parley-coturn.service)',
      [
        { name: 'PARLEY_TURN_URLS', value: turnUrls(settings), why: 'What browsers use to relay calls across NATs.' },
        { name: 'PARLEY_TURN_SECRET', value: secrets.turnSecret, why: `Shared with coturn (static-auth-secret in ${PATHS.coturnConfig}); kept in ${PATHS.turnSecretFile}.` },
        { name: 'PARLEY_TURN_TTL_SECONDS', value: null, why: 'How long a TURN credential works (default 21600, 6 hours).' },
        { name: 'PARLEY_TURN_RELAY_ONLY', value: null, why: "1: every call goes through the relay, so neither side learns the other's address." },
      ],
    ],
    [
      'Group calls (Janus, started by the server)',
      [
        { name: 'PARLEY_JANUS', value: 'auto', why: 'auto: the server runs the installed Janus on loopback; off: no group calls; or wss:// URLs of Janus instances you run.' },
        { name: 'PARLEY_JANUS_RTP_PORTS', value: settings.janusRtpPorts, why: 'UDP ports Janus takes media on: open them in the firewall.' },
        {
          name: 'PARLEY_JANUS_PUBLIC_IP',
          value: settings.publicIp ?? null,
          why: 'The public address when this server is behind 1:1 NAT (most clouds): Janus announces it in its candidates.',
        },
        { name: 'PARLEY_JANUS_API_SECRET', value: null, why: "Janus's api_secret, for Janus instances you run (PARLEY_JANUS=wss://…)." },
        { name: 'PARLEY_JANUS_INTERFACE', value: null, why: 'The only network interface Janus gathers candidates on (default: all).' },
        { name: 'PARLEY_SFU_GRACE_MS', value: null, why: 'How long a device whose connection dropped stays in its group calls (default 15000).' },
        {
          name: 'PARLEY_SFU_LEASE_MS',
          value: null,
          why: "Several nodes: how long a node's lease on a group call lasts unless it renews it (default 6000 ms); a dead node's calls move to another node after at most this long.",
        },
      ],
    ],
    [
      'Limits',
      [{ name: 'PARLEY_RATE_LIMITS', value: null, why: 'off: no rate limits (load tests only; never on a public server).' }],
    ],
    [
      'Node',
      [{ name: 'NODE_OPTIONS', value: '--max-semi-space-size=64', why: "A larger young generation: the relay makes many short-lived frames (less time in garbage collection)." }],
    ],
  ];
  const lines = [
    `# Parley's settings (${PATHS.envFile}, read by parley.service), written by tools/deploy. Mode 0640,`,
    '# root:parley: it holds the TURN secret. Rerunning tools/deploy rewrites it from /etc/parley/deploy.json;',
    '# change settings there (or with its flags), then rerun. Lines starting with # show optional settings.',
  ];
  for (const [title, settingsOfSection] of sections) {
    lines.push('', `## ${title}`);
    for (const setting of settingsOfSection) {
      lines.push(`# ${setting.why}`);
      lines.push(setting.value === null ? `#${setting.name}=` : `${setting.name}=${setting.value}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** coturn's configuration: the repository's deployment file with this deployment's lines filled in. */
export function renderCoturnConfig(settings: DeploySettings, secrets: DeploySecrets): string {
  const shipped = readFileSync(`${DEPLOY_FOLDER}coturn/turnserver.conf`, 'utf8');
  const [minPort, maxPort] = portRange(settings.turnRelayPorts);
  const body = shipped
    .replace(/^listening-port=.*$/m, `listening-port=${settings.turnPort}`)
    .replace(/^static-auth-secret=.*$/m, `static-auth-secret=${secrets.turnSecret}`)
    .replace(/^realm=.*$/m, `realm=${settings.domain}`);
  return `${body.trimEnd()}

# Written by tools/deploy for ${settings.domain}.
min-port=${minPort}
max-port=${maxPort}
${settings.publicIp ? `# Behind 1:1 NAT: the address peers must send to.\nexternal-ip=${settings.publicIp}\n` : ''}log-file=syslog
simple-log
`;
}

/** Where Node is on the machine the tool runs on (systemd needs an absolute path). */
export function renderServerUnit(appDir: string, nodePath: string): string {
  return `# Parley's server (${PATHS.serverUnit}), written by tools/deploy.
[Unit]
Description=Parley server (API, relay, app origins, group calls)
Documentation=file://${appDir}/README.md
After=network-online.target parley-coturn.service
Wants=network-online.target

[Service]
Type=simple
User=${SERVICE_USER}
Group=${SERVICE_USER}
WorkingDirectory=${appDir}
EnvironmentFile=${PATHS.envFile}
ExecStart=${nodePath} ${appDir}/node_modules/tsx/dist/cli.mjs ${appDir}/apps/server/src/main.ts
# SIGTERM drains: listeners close, relay sockets are closed with "going away" so clients reconnect to
# the next start, and accepted messages are committed before the process exits.
KillSignal=SIGTERM
TimeoutStopSec=30
Restart=on-failure
RestartSec=2
LimitNOFILE=65536
# The server writes only its data folder (and Janus's configuration in its private /tmp).
NoNewPrivileges=yes
ProtectSystem=strict
ReadWritePaths=${PATHS.dataDir}
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
ProtectKernelTunables=yes
ProtectKernelModules=yes
ProtectControlGroups=yes
RestrictSUIDSGID=yes
LockPersonality=yes
UMask=0077

[Install]
WantedBy=multi-user.target
`;
}

/** coturn with Parley's configuration (instead of Debian's coturn.service and /etc/turnserver.conf). */
export function renderCoturnUnit(): string {
  return `# coturn for Parley (${PATHS.coturnUnit}), written by tools/deploy; Debian's own coturn.service is disabled.
[Unit]
Description=coturn TURN server for Parley calls
Documentation=man:turnserver(1)
After=network-online.target
Wants=network-online.target

[Service]
Type=notify
User=turnserver
Group=turnserver
ExecStart=/usr/bin/turnserver -c ${PATHS.coturnConfig} --pidfile=
Restart=on-failure
# TURN on 3478 is not a privileged port; nothing else needs root.
NoNewPrivileges=yes
ProtectSystem=full
ProtectHome=yes
PrivateTmp=yes
PrivateDevices=yes
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}
