/**
 * The deployment tools/deploy writes, run inside the test namespace: Caddy with the Caddyfile the
 * tool renders (its internal CA instead of Let's Encrypt: nothing here reaches the internet) on the
 * standard ports 80 and 443, the server with the environment file the tool renders (which has it
 * start Janus for group calls), real coturn, and the host names `parley.test`, `chat.parley.test`
 * and `call.parley.test`. Chromium resolves those names to loopback (`--host-resolver-rules`) and
 * trusts Caddy's CA through an NSS database in its own home folder: certificate errors are not
 * ignored, the chain is verified.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ParleyServer, configFromEnv, createParleyServer, publishLocalBuilds } from '@parley/server';
import { type Browser, chromium } from '@playwright/test';
import { type DeploySettings, defaultSettings, renderCaddyfile, renderEnvFile } from '@parley/deploy';
import { CHROMIUM_ARGS } from '../playwright.config.js';
import { type RunningCoturn, coturnMissing, startCoturn } from './coturn.js';
import { DEV_MANIFEST_KEY_FILE, REPO_ROOT, distOf } from './system.js';

/** The deployment's domain: the shell, API and relay; chat and call on sub-domains. */
export const DOMAIN = 'parley.test';

/** Where Debian's janus package puts the binary the server starts (PARLEY_JANUS=auto). */
const JANUS_BINARY = '/usr/bin/janus';

/** Why the HTTPS deployment cannot run here, or null when it can. */
export function httpsDeploymentMissing(): string | null {
  // Ports 80 and 443 and a private network: root inside tools/test/in-loopback-namespace.sh.
  if (process.getuid?.() !== 0 || !process.env.PARLEY_TEST_PUBLIC_IP) {
    return 'the HTTPS deployment needs root in the test namespace (tools/test/in-loopback-namespace.sh): Caddy takes ports 80 and 443';
  }
  for (const [binary, pkg] of [
    ['caddy', 'caddy'],
    ['certutil', 'libnss3-tools'],
  ] as const) {
    if (spawnSync('sh', ['-c', `command -v ${binary}`]).status !== 0) return `${binary} is not installed (\`apt-get install ${pkg}\`; CI installs it)`;
  }
  // Group calls: the server starts the installed Janus; in the namespace it gathers ICE candidates
  // only on the ifb link the namespace script makes (Janus ignores interfaces flagged loopback).
  if (!existsSync(JANUS_BINARY)) return `Janus is not installed (${JANUS_BINARY}): apt-get install janus`;
  if (!process.env.PARLEY_JANUS_INTERFACE) return 'PARLEY_JANUS_INTERFACE is not set: the test namespace (tools/test/in-loopback-namespace.sh) found no ifb link for Janus';
  return coturnMissing();
}

/** An HTTP answer as the test process saw it (through Caddy, verifying its certificate). */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface HttpsDeployment {
  readonly settings: DeploySettings;
  /** `https://parley.test` and the two app origins. */
  readonly origins: { readonly shell: string; readonly chat: string; readonly call: string };
  /** What the browser helpers (onboard, callPerson) need: every address is a public HTTPS origin. */
  readonly system: { readonly addresses: { shell: string; api: string; chat: string; call: string } };
  readonly server: ParleyServer;
  /** Chromium resolving the deployment's names to loopback and trusting Caddy's CA (and nothing else). */
  launchBrowser(): Promise<Browser>;
  /** The launch options behind `launchBrowser`, for a browser started otherwise (a persistent profile, headful). */
  readonly browserOptions: { readonly executablePath: string; readonly args: string[]; readonly env: Record<string, string | undefined> };
  /** A GET through Caddy from the test process: `https://…` verified against Caddy's CA, or `http://…`. */
  get(url: string, headers?: Record<string, string>): Promise<Answer>;
  stop(): Promise<void>;
}

/** Reads a `NAME=value` environment file the way systemd's EnvironmentFile does (comments skipped). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (match) env[match[1]!] = match[2]!;
  }
  return env;
}

/** Polls `ready` every 100 ms until it holds; fails after `timeoutMs` with `log()` (a process's output). */
export async function waitFor(what: string, ready: () => Promise<boolean> | boolean, timeoutMs = 20_000, log = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the whole deployment; `stop` ends every process it started. */
export async function startHttpsDeployment(): Promise<HttpsDeployment> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-https-'));
  const settings: DeploySettings = { ...defaultSettings(DOMAIN), tls: 'internal' };
  const origins = { shell: `https://${settings.domain}`, chat: `https://${settings.chatDomain}`, call: `https://${settings.callDomain}` };
  let coturn: RunningCoturn | null = null;
  let caddy: ChildProcess | null = null;
  let server: ParleyServer | null = null;
  let caddyLog = '';

  const stop = async () => {
    if (caddy && caddy.exitCode === null) {
      const exited = new Promise((resolve) => caddy!.once('exit', resolve));
      caddy.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (caddy.exitCode === null) caddy.kill('SIGKILL');
    }
    await server?.stop();
    await coturn?.stop();
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    coturn = await startCoturn();
    // The environment file tools/deploy writes, read as systemd would; only this run's data folder,
    // coturn (on the namespace's public-looking address), Janus's ICE interface (the namespace's ifb
    // link; on a server Janus uses every interface) and quieter logs differ.
    const env = {
      ...parseEnvFile(renderEnvFile(settings, { turnSecret: coturn.secret }, REPO_ROOT)),
      PARLEY_DATA_DIR: join(dir, 'data'),
      PARLEY_TURN_URLS: coturn.url,
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_JANUS_INTERFACE: process.env.PARLEY_JANUS_INTERFACE!,
    };
    server = createParleyServer({ ...configFromEnv(env, REPO_ROOT), manifestKeyFile: DEV_MANIFEST_KEY_FILE });
    await server.start();
    // What tools/deploy does after building: the built chat and call become the default releases.
    await publishLocalBuilds(server.registry, server.storage, { chat: distOf('chat'), call: distOf('call') });

    const caddyDir = join(dir, 'caddy');
    mkdirSync(caddyDir, { recursive: true });
    writeFileSync(join(caddyDir, 'Caddyfile'), renderCaddyfile(settings, { adminOff: true, storageDir: join(caddyDir, 'storage') }));
    caddy = spawn('caddy', ['run', '--adapter', 'caddyfile', '--config', join(caddyDir, 'Caddyfile')], {
      env: { ...process.env, HOME: caddyDir, XDG_DATA_HOME: caddyDir, XDG_CONFIG_HOME: caddyDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    caddy.stdout?.on('data', (chunk) => (caddyLog += chunk));
    caddy.stderr?.on('data', (chunk) => (caddyLog += chunk));
    const rootCertificate = join(caddyDir, 'storage', 'pki', 'authorities', 'local', 'root.crt');
    await waitFor('Caddy making its CA', () => existsSync(rootCertificate) || caddy?.exitCode !== null, 20_000, () => caddyLog);
    if (caddy.exitCode !== null) throw new Error(`caddy exited:\n${caddyLog}`);
    const ca = readFileSync(rootCertificate, 'utf8');

    const get = (url: string, headers: Record<string, string> = {}): Promise<Answer> => {
      const target = new URL(url);
      const secure = target.protocol === 'https:';
      const options = {
        host: '127.0.0.1',
        port: Number(target.port || (secure ? 443 : 80)),
        path: `${target.pathname}${target.search}`,
        headers: { host: target.host, ...headers },
        ...(secure ? { servername: target.hostname, ca } : {}),
      };
      return new Promise((resolve, reject) => {
        const req = (secure ? httpsRequest : httpRequest)(options, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        });
        req.on('error', reject);
        req.end();
      });
    };
    // Caddy issues the three certificates from its CA at start: wait until every origin answers.
    for (const origin of Object.values(origins)) {
      await waitFor(`${origin} answering over HTTPS`, () => get(`${origin}/`).then((answer) => answer.status < 500, () => false), 30_000, () => caddyLog);
    }

    // Chromium on Linux trusts the certificates of the NSS database in $HOME/.pki/nssdb.
    const home = join(dir, 'chromium-home');
    const nssdb = join(home, '.pki', 'nssdb');
    mkdirSync(nssdb, { recursive: true });
    for (const args of [
      ['-N', '-d', `sql:${nssdb}`, '--empty-password'],
      ['-A', '-d', `sql:${nssdb}`, '-n', 'Parley test deployment CA', '-t', 'C,,', '-i', rootCertificate],
    ]) {
      const certutil = spawnSync('certutil', args, { encoding: 'utf8' });
      if (certutil.status !== 0) throw new Error(`certutil ${args.join(' ')} failed: ${certutil.stderr}`);
    }

    const running = server;
    const browserOptions = {
      executablePath: process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium',
      args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${settings.domain} 127.0.0.1, MAP *.${settings.domain} 127.0.0.1`],
      env: { ...process.env, HOME: home },
    };
    return {
      settings,
      origins,
      system: { addresses: { shell: origins.shell, api: origins.shell, chat: origins.chat, call: origins.call } },
      server: running,
      launchBrowser: () => chromium.launch(browserOptions),
      browserOptions,
      get,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
