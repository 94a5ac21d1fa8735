import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS, DEFAULT_RELAY_CONNECTION_CAPS, REPO_ROOT, SERVER_VERSION, configFromEnv, janusFromEnv } from './config.js';
import { writeJanusConfig } from './sfu/janus-process.js';

describe('configFromEnv', () => {
  it('uses the defaults of ARCHITECTURE "Defaults" when nothing is set', () => {
    const config = configFromEnv({}, '/repo');
    expect(config).toMatchObject({
      dataDir: resolve('./data'),
      host: '127.0.0.1',
      apiPort: 8080,
      apps: {
        shell: { port: 4200, distDir: '/repo/apps/shell/dist' },
        chat: { port: 4201, distDir: '/repo/apps/chat/dist' },
        call: { port: 4202, distDir: '/repo/apps/call/dist' },
      },
      relayAuthTimeoutMs: 5_000,
      version: SERVER_VERSION,
      logLevel: 'info',
      publishLocalBuilds: true,
      rateLimits: DEFAULT_RATE_LIMITS,
      relayCommitThread: true,
    });
  });

  it('is a development server unless PARLEY_ENV=production, and only development publishes the local builds at start', () => {
    expect(configFromEnv({})).toMatchObject({ environment: 'development', publishLocalBuilds: true });
    expect(configFromEnv({ PARLEY_ENV: 'development' })).toMatchObject({ environment: 'development', publishLocalBuilds: true });
    expect(configFromEnv({ PARLEY_ENV: 'production' })).toMatchObject({ environment: 'production', publishLocalBuilds: false });
    expect(() => configFromEnv({ PARLEY_ENV: 'prod' })).toThrow('PARLEY_ENV must be development or production');
  });

  it('takes the public origins browsers use from PARLEY_<APP>_ORIGIN, bare origins only', () => {
    const config = configFromEnv({
      PARLEY_SHELL_ORIGIN: 'https://parley.example',
      PARLEY_API_ORIGIN: 'https://api.parley.example',
      PARLEY_CHAT_ORIGIN: 'https://chat.parley.example/',
      PARLEY_CALL_ORIGIN: 'https://call.parley.example',
    });
    expect(config.publicOrigins).toEqual({ shell: 'https://parley.example', api: 'https://api.parley.example' });
    expect(config.remoteOrigins).toEqual({ chat: 'https://chat.parley.example', call: 'https://call.parley.example' });
    expect(configFromEnv({}).publicOrigins).toBeUndefined();
    expect(() => configFromEnv({ PARLEY_CALL_ORIGIN: 'https://call.parley.example/releases' })).toThrow('PARLEY_CALL_ORIGIN must be an origin');
    expect(() => configFromEnv({ PARLEY_SHELL_ORIGIN: "https://x.example; script-src 'unsafe-inline'" })).toThrow('PARLEY_SHELL_ORIGIN must be an origin');
  });

  it('takes the manifest signing key file from PARLEY_MANIFEST_KEY_FILE, else the data folder', () => {
    expect(configFromEnv({}).manifestKeyFile).toBeUndefined();
    expect(configFromEnv({ PARLEY_MANIFEST_KEY_FILE: '/secrets/manifest.json' }).manifestKeyFile).toBe('/secrets/manifest.json');
  });

  it('drops rate limits and socket caps only with PARLEY_RATE_LIMITS=off', () => {
    expect(configFromEnv({ PARLEY_RATE_LIMITS: 'off' })).toMatchObject({ rateLimits: null });
    expect(configFromEnv({ PARLEY_RATE_LIMITS: 'off' }).relayConnectionCaps).toBeUndefined();
    expect(configFromEnv({}).relayConnectionCaps).toEqual(DEFAULT_RELAY_CONNECTION_CAPS);
  });

  it('takes the trusted reverse proxies from PARLEY_TRUSTED_PROXIES, addresses and ranges only', () => {
    expect(configFromEnv({}).trustedProxies).toEqual([]);
    expect(configFromEnv({ PARLEY_TRUSTED_PROXIES: '127.0.0.1, ::1,10.0.0.0/8' }).trustedProxies).toEqual(['127.0.0.1', '::1', '10.0.0.0/8']);
    expect(() => configFromEnv({ PARLEY_TRUSTED_PROXIES: 'caddy.local' })).toThrow('PARLEY_TRUSTED_PROXIES must hold IP addresses');
  });

  it('reads every PARLEY_ variable', () => {
    const config = configFromEnv({
      PARLEY_DATA_DIR: '/var/lib/parley',
      PARLEY_HOST: '0.0.0.0',
      PARLEY_API_PORT: '9000',
      PARLEY_SHELL_PORT: '5000',
      PARLEY_CHAT_PORT: '5001',
      PARLEY_CALL_PORT: '0',
      PARLEY_CALL_DIST: '/srv/call',
      PARLEY_LOG_LEVEL: 'warn',
    });
    expect(config.dataDir).toBe('/var/lib/parley');
    expect(config.host).toBe('0.0.0.0');
    expect([config.apiPort, config.apps.shell?.port, config.apps.chat?.port, config.apps.call?.port]).toEqual([9000, 5000, 5001, 0]);
    expect(config.apps.call?.distDir).toBe('/srv/call');
    expect(config.logLevel).toBe('warn');
  });

  it.each(['80a', '-1', '70000', '1.5'])('rejects the port "%s" with the variable name', (value) => {
    expect(() => configFromEnv({ PARLEY_CHAT_PORT: value })).toThrow(`PARLEY_CHAT_PORT must be a port number (0-65535), got "${value}"`);
  });

  it('puts the state in PostgreSQL only when PARLEY_DATABASE_URL names one, SQLite otherwise', () => {
    expect(configFromEnv({}).databaseUrl).toBeUndefined();
    expect(configFromEnv({ PARLEY_DATABASE_URL: 'postgres://parley@db.internal/parley' }).databaseUrl).toBe('postgres://parley@db.internal/parley');
    expect(configFromEnv({ PARLEY_DATABASE_URL: 'postgresql://parley@%2Frun%2Fpostgresql/parley' }).databaseUrl).toMatch(/^postgresql:/);
    expect(() => configFromEnv({ PARLEY_DATABASE_URL: 'mysql://db/parley' })).toThrow(/PARLEY_DATABASE_URL must be a postgres:\/\//);
  });

  it('joins nodes through PARLEY_REDIS_URL only beside a shared PostgreSQL', () => {
    const database = { PARLEY_DATABASE_URL: 'postgres://parley@db/parley' };
    expect(configFromEnv(database).redisUrl).toBeUndefined();
    expect(configFromEnv({ ...database, PARLEY_REDIS_URL: 'redis://cache:6379' }).redisUrl).toBe('redis://cache:6379');
    expect(configFromEnv({ ...database, PARLEY_REDIS_URL: 'unix:/run/redis/redis.sock' }).redisUrl).toBe('unix:/run/redis/redis.sock');
    expect(() => configFromEnv({ ...database, PARLEY_REDIS_URL: 'cache:6379' })).toThrow(/PARLEY_REDIS_URL must be/);
    expect(() => configFromEnv({ PARLEY_REDIS_URL: 'redis://cache:6379' })).toThrow(/set PARLEY_DATABASE_URL too/);
  });

  it('polls the queues of connected devices only when PARLEY_QUEUE_POLL_MS asks for it', () => {
    expect(configFromEnv({}).queuePollMs).toBeUndefined();
    expect(configFromEnv({ PARLEY_QUEUE_POLL_MS: '500' }).queuePollMs).toBe(500);
    expect(() => configFromEnv({ PARLEY_QUEUE_POLL_MS: 'often' })).toThrow(/PARLEY_QUEUE_POLL_MS must be/);
  });

  it('rejects an unknown log level', () => {
    expect(() => configFromEnv({ PARLEY_LOG_LEVEL: 'loud' })).toThrow(/PARLEY_LOG_LEVEL/);
  });

  it('reads PARLEY_JANUS: auto when Janus is installed, else off with a hint; off; or ws:// URLs', () => {
    expect(janusFromEnv({}, '/no/such/janus')).toEqual({ mode: 'off', notInstalled: true });
    expect(janusFromEnv({ PARLEY_JANUS: 'auto' }, '/no/such/janus')).toEqual({ mode: 'off', notInstalled: true });
    expect(janusFromEnv({ PARLEY_JANUS_INTERFACE: 'jlo' }, process.execPath)).toEqual({ mode: 'auto', binary: process.execPath, iceInterface: 'jlo' });
    expect(janusFromEnv({ PARLEY_JANUS: 'off' }, process.execPath)).toEqual({ mode: 'off' });
    expect(janusFromEnv({ PARLEY_JANUS: 'ws://127.0.0.1:8188, wss://10.0.0.2:8989', PARLEY_JANUS_API_SECRET: 's' })).toEqual({
      mode: 'urls',
      urls: ['ws://127.0.0.1:8188', 'wss://10.0.0.2:8989'],
      apiSecret: 's',
    });
    expect(() => janusFromEnv({ PARLEY_JANUS: 'http://127.0.0.1:8088' })).toThrow(/PARLEY_JANUS must be off, auto or ws:\/\/ URLs/);
    expect(configFromEnv({ PARLEY_SFU_GRACE_MS: '2000' }).sfuDisconnectGraceMs).toBe(2000);
    expect(() => configFromEnv({ PARLEY_SFU_GRACE_MS: 'soon' })).toThrow(/PARLEY_SFU_GRACE_MS/);
  });

  it('gives an auto-started Janus a media port range and a public address for the firewall and 1:1 NAT of a deployment', () => {
    expect(janusFromEnv({ PARLEY_JANUS_RTP_PORTS: '20000-29999', PARLEY_JANUS_PUBLIC_IP: '203.0.113.7' }, process.execPath)).toEqual({
      mode: 'auto',
      binary: process.execPath,
      rtpPortRange: '20000-29999',
      publicIp: '203.0.113.7',
    });
    expect(() => janusFromEnv({ PARLEY_JANUS_RTP_PORTS: '30000-20000' }, process.execPath)).toThrow(/PARLEY_JANUS_RTP_PORTS/);
    expect(() => janusFromEnv({ PARLEY_JANUS_PUBLIC_IP: 'parley.example' }, process.execPath)).toThrow(/PARLEY_JANUS_PUBLIC_IP/);
    const dir = mkdtempSync(join(tmpdir(), 'parley-janus-config-'));
    try {
      writeJanusConfig(dir, { port: 8188, apiSecret: 's', libDir: dir, rtpPortRange: '20000-29999', publicIp: '203.0.113.7' });
      const config = readFileSync(join(dir, 'janus.jcfg'), 'utf8');
      expect(config).toContain('rtp_port_range = "20000-29999"');
      expect(config).toContain('nat_1_1_mapping = "203.0.113.7"');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a remote Janus over ws:// (its API carries room secrets and join tokens in clear); loopback may use ws:// (issue 21)', () => {
    for (const url of ['ws://127.0.0.1:8188', 'ws://127.3.4.5:8188', 'ws://[::1]:8188', 'ws://localhost:8188', 'ws://LOCALHOST:8188/janus']) {
      expect(janusFromEnv({ PARLEY_JANUS: url })).toMatchObject({ mode: 'urls', urls: [url] });
    }
    for (const url of ['ws://10.0.0.2:8188', 'ws://janus.internal:8188', 'ws://127.0.0.1.example.com:8188', 'ws://[::2]:8188', 'ws://128.0.0.1:8188', 'ws://localhost.evil.example:8188']) {
      expect(() => janusFromEnv({ PARLEY_JANUS: url }), url).toThrow(/wss:\/\/ for a Janus that is not on loopback/);
    }
    expect(() => janusFromEnv({ PARLEY_JANUS: 'ws://127.0.0.1:8188,ws://10.0.0.3:8188' })).toThrow(/ws:\/\/10\.0\.0\.3:8188/);
    expect(janusFromEnv({ PARLEY_JANUS: 'wss://janus.example.net:8989' })).toMatchObject({ mode: 'urls', urls: ['wss://janus.example.net:8989'] });
  });

  it('finds the repository root and this server version', () => {
    expect(join(REPO_ROOT, 'apps', 'server', 'src')).toBe(resolve(import.meta.dirname));
    expect(SERVER_VERSION).toBe('0.1.0');
  });
});
