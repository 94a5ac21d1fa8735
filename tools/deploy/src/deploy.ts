/**
 * Deploys Parley on this machine, or upgrades it in place: Debian packages, the service account,
 * secrets (made once, mode 0600, never replaced), the apps built with the shell pinning this
 * server's manifest keys, their releases published, Caddy's, coturn's and systemd's configuration
 * written, and the services started. Data and keys survive every rerun.
 *
 * Every file goes under `root` (`/` for real; a temp folder in tests) and every system command goes
 * through `system`, so a test runs the whole deployment twice without touching the machine.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  MANIFEST_KEY_FILE_NAME,
  ReleaseRegistry,
  SqliteStorage,
  loadOrCreateManifestKeys,
  publishLocalBuilds,
  writePublicKeys,
} from '@parley/server';
import { renderCaddyfile, renderCoturnConfig, renderCoturnUnit, renderEnvFile, renderServerUnit } from './render.js';
import { type DeploySettings, PATHS, SERVICE_USER, UPSTREAM_PORTS, checkSettings } from './settings.js';

/** Runs system commands; the dry run records them instead. */
export interface SystemCommands {
  /** Runs a command to completion; a non-zero exit throws unless `mayFail`. Returns the exit code. */
  run(command: string, args: readonly string[], options?: { env?: Record<string, string>; mayFail?: boolean }): number;
}

/** How one run goes. */
export interface DeployRun {
  /** Prefix of every path written (`/` for real). */
  readonly root: string;
  /** The repository checkout the server runs from (and builds in). */
  readonly appDir: string;
  /** Absolute path of Node, for the unit (systemd wants one). */
  readonly nodePath: string;
  readonly system: SystemCommands;
  /** Progress lines for the operator. */
  readonly log: (line: string) => void;
}

/** What a run did, for the operator's summary and for tests. */
export interface DeployOutcome {
  readonly firstDeploy: boolean;
  readonly pinnedKeys: string;
  readonly releases: Array<{ remote: 'chat' | 'call'; version: string; status: string; madeDefault: boolean }>;
}

const under = (run: DeployRun, path: string) => join(run.root, path);

/** Writes `content` atomically with `mode` (the mode is set before the file appears). */
function writeFile(path: string, content: string, mode: number): void {
  mkdirSync(dirname(path), { recursive: true });
  const staging = `${path}.tmp-${process.pid}`;
  writeFileSync(staging, content, { mode });
  chmodSync(staging, mode);
  renameSync(staging, path);
}

/** A secret made once: read when it exists, else generated (256 bits) and written 0600. */
function secretFile(path: string): string {
  if (existsSync(path)) {
    chmodSync(path, 0o600);
    return readFileSync(path, 'utf8').trim();
  }
  const secret = randomBytes(32).toString('base64url');
  writeFile(path, `${secret}\n`, 0o600);
  return secret;
}

/** The settings of the previous run, if any: an upgrade reuses them. */
export function previousSettings(root: string): DeploySettings | null {
  const file = join(root, PATHS.settingsFile);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DeploySettings) : null;
}

/** Deploys (first run) or upgrades (later runs) Parley with `settings`. */
export async function deploy(settings: DeploySettings, run: DeployRun): Promise<DeployOutcome> {
  checkSettings(settings);
  const { system, log } = run;
  const dataDir = under(run, PATHS.dataDir);
  const firstDeploy = !existsSync(join(dataDir, MANIFEST_KEY_FILE_NAME));
  log(firstDeploy ? `Deploying Parley on ${settings.domain}` : `Upgrading Parley on ${settings.domain} in place (data and keys are kept)`);

  log('Debian packages: caddy, coturn, janus');
  system.run('apt-get', ['update', '-qq']);
  system.run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'caddy', 'coturn', 'janus'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  if (system.run('id', ['-u', SERVICE_USER], { mayFail: true }) !== 0) {
    system.run('useradd', ['--system', '--home-dir', PATHS.dataDir, '--shell', '/usr/sbin/nologin', SERVICE_USER]);
  }

  log('Secrets (made once, kept on every upgrade)');
  mkdirSync(under(run, PATHS.configDir), { recursive: true, mode: 0o750 });
  chmodSync(under(run, PATHS.configDir), 0o750);
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  chmodSync(dataDir, 0o750);
  const turnSecret = secretFile(under(run, PATHS.turnSecretFile));
  // The server would make these at its first start; made here so the shell can pin the keys first.
  const keys = loadOrCreateManifestKeys(join(dataDir, MANIFEST_KEY_FILE_NAME));
  chmodSync(join(dataDir, MANIFEST_KEY_FILE_NAME), 0o600);
  writePublicKeys(dataDir, keys);
  secretFile(join(dataDir, 'sfu-room-key'));
  const pinnedKeys = JSON.stringify(keys.pinned);

  log('Building the apps (the shell pins this server\'s manifest keys)');
  system.run('npx', ['nx', 'run-many', '-t', 'build', '--projects=shell,chat,call', '--outputStyle=static'], {
    env: { PARLEY_MANIFEST_KEYS: pinnedKeys, NX_DAEMON: 'false', NX_TUI: 'false' },
  });

  log('Publishing the built chat and call as releases');
  const releases = await publishBuilds(run, dataDir);

  log('Configuration: Caddy, coturn, systemd, the environment file');
  writeFile(under(run, PATHS.settingsFile), `${JSON.stringify(settings, null, 2)}\n`, 0o640);
  writeFile(under(run, PATHS.envFile), renderEnvFile(settings, { turnSecret }, run.appDir), 0o640);
  writeFile(under(run, PATHS.coturnConfig), renderCoturnConfig(settings, { turnSecret }), 0o640);
  writeFile(under(run, PATHS.caddyfile), renderCaddyfile(settings), 0o644);
  writeFile(under(run, PATHS.serverUnit), renderServerUnit(run.appDir, run.nodePath), 0o644);
  writeFile(under(run, PATHS.coturnUnit), renderCoturnUnit(), 0o644);
  // Readable by the service that needs it, and by nobody else.
  system.run('chown', ['-R', `${SERVICE_USER}:${SERVICE_USER}`, PATHS.dataDir]);
  system.run('chown', [`root:${SERVICE_USER}`, PATHS.configDir, PATHS.envFile]);
  system.run('chown', ['root:turnserver', PATHS.coturnConfig]);

  log('Services');
  system.run('caddy', ['validate', '--adapter', 'caddyfile', '--config', PATHS.caddyfile]);
  system.run('systemctl', ['daemon-reload']);
  // Debian's coturn reads /etc/turnserver.conf on the same port: parley-coturn replaces it.
  system.run('systemctl', ['disable', '--now', 'coturn'], { mayFail: true });
  system.run('systemctl', ['enable', 'parley-coturn', 'parley', 'caddy']);
  system.run('systemctl', ['restart', 'parley-coturn']);
  // A restart drains: clients reconnect to the new server and lose no message.
  system.run('systemctl', ['restart', 'parley']);
  system.run('systemctl', ['reload-or-restart', 'caddy']);
  system.run('sh', ['-c', `for i in $(seq 1 60); do curl -fsS http://127.0.0.1:${UPSTREAM_PORTS.shell}/api/health >/dev/null && exit 0; sleep 1; done; exit 1`]);
  log(`Parley is running: https://${settings.domain}`);
  return { firstDeploy, pinnedKeys, releases };
}

/**
 * Publishes the built remotes and makes them the default, unless the operator has chosen another
 * default since the last deployment (then that choice stands: the call app's release train). A
 * build whose bytes differ from the release already published under its version is published as
 * `<version>-local-<hash>`: releases are immutable.
 */
async function publishBuilds(run: DeployRun, dataDir: string): Promise<DeployOutcome['releases']> {
  const clock = { now: () => Date.now() };
  const storage = new SqliteStorage({ dataDir, clock });
  await storage.open();
  try {
    const registry = new ReleaseRegistry(storage, { dataDir, clock });
    const builds = { chat: join(run.appDir, 'apps', 'chat', 'dist'), call: join(run.appDir, 'apps', 'call', 'dist') };
    const outcomes: DeployOutcome['releases'] = [];
    for (const outcome of await publishLocalBuilds(registry, storage, builds)) {
      if (outcome.status === 'missing') throw new Error(`${builds[outcome.remote]} holds no build: the build step failed`);
      if (outcome.status === 'published' && !outcome.madeDefault) run.log(`  ${outcome.remote} ${outcome.version} is published; the default you chose stands (README "Releasing the call app")`);
      outcomes.push({ remote: outcome.remote, version: outcome.version, status: outcome.status, madeDefault: outcome.madeDefault });
    }
    return outcomes;
  } finally {
    await storage.close();
  }
}
