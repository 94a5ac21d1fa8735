/**
 * Runs the installed Debian `janus` as a child process of the server, with a configuration written
 * into a private temp folder: only the VideoRoom plugin and the WebSocket transport, bound to
 * loopback (browsers never reach Janus's API, ARCHITECTURE "Calls"), no Admin API, no demo rooms, and
 * a random API secret so another local process cannot drive it. A supervisor starts it again when it
 * dies, on the same port, so janode reconnects to the same URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Where Debian installs Janus and its modules. */
export const JANUS_BINARY = '/usr/bin/janus';
export const JANUS_LIB_DIR = '/usr/lib/x86_64-linux-gnu/janus';
const SETPRIV = '/usr/bin/setpriv';

/** How to start one Janus. */
export interface JanusProcessOptions {
  binary?: string;
  /** Folder holding `plugins/` and `transports/`; the Debian one by default. */
  libDir?: string;
  /** WebSocket API port on 127.0.0.1; 0 (default) picks a free one once, kept across restarts. */
  port?: number;
  /** The only interface Janus gathers ICE candidates on (`ice_enforce_list`); all when absent. */
  iceInterface?: string;
  /** UDP ports Janus takes media on (`rtp_port_range`, e.g. `20000-29999`), so a firewall can open just them. */
  rtpPortRange?: string;
  /** The public address of a server behind 1:1 NAT (a cloud VM): announced in Janus's candidates (`nat_1_1_mapping`). */
  publicIp?: string;
  /** Janus's own output, one line at a time (already free of SDP at its default level). */
  onOutput?: (line: string) => void;
  /** How long Janus may take to open its WebSocket port. */
  startTimeoutMs?: number;
  /** Janus's `api_secret`; random when absent. Several instances behind one PARLEY_JANUS_API_SECRET share one. */
  apiSecret?: string;
}

/** A running (or restartable) Janus as its clients see it. */
export interface JanusEndpoint {
  url: string;
  apiSecret: string;
}

/**
 * Writes the configuration folder Janus reads with `-C`/`-F`. Plugins and transports come from
 * folders holding only the two modules used, so nothing else is loaded whatever Debian installs.
 */
export function writeJanusConfig(
  dir: string,
  options: { port: number; apiSecret: string; iceInterface?: string; rtpPortRange?: string; publicIp?: string; libDir: string },
): void {
  const plugins = join(dir, 'plugins');
  const transports = join(dir, 'transports');
  const empty = join(dir, 'empty');
  for (const folder of [plugins, transports, empty]) mkdirSync(folder, { recursive: true });
  const link = (target: string, path: string) => {
    if (!existsSync(path)) symlinkSync(target, path);
  };
  link(join(options.libDir, 'plugins', 'libjanus_videoroom.so'), join(plugins, 'libjanus_videoroom.so'));
  link(join(options.libDir, 'transports', 'libjanus_websockets.so'), join(transports, 'libjanus_websockets.so'));

  const nat =
    (options.iceInterface ? `\tice_enforce_list = "${options.iceInterface}"\n` : '') +
    (options.publicIp ? `\tnat_1_1_mapping = "${options.publicIp}"\n` : '');
  const media = options.rtpPortRange ? `\trtp_port_range = "${options.rtpPortRange}"\n` : '';
  writeFileSync(
    join(dir, 'janus.jcfg'),
    `general: {
\tconfigs_folder = "${dir}"
\tplugins_folder = "${plugins}"
\ttransports_folder = "${transports}"
\tevents_folder = "${empty}"
\tloggers_folder = "${empty}"
\tdebug_level = 4
\tdebug_colors = false
\tapi_secret = "${options.apiSecret}"
\tserver_name = "parley-janus"
\tsession_timeout = 60
\tprotected_folders = ["/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/sbin", "/sys", "/usr", "/var"]
}
media: {
${media}}
nat: {
\tnice_debug = false
${nat}}
plugins: {
}
transports: {
}
events: {
\tbroadcast = false
}
`,
    { mode: 0o600 },
  );
  writeFileSync(
    join(dir, 'janus.transport.websockets.jcfg'),
    `general: {
\tjson = "plain"
\tws = true
\tws_port = ${options.port}
\tws_ip = "127.0.0.1"
\twss = false
}
admin: {
\tadmin_ws = false
\tadmin_wss = false
}
`,
    { mode: 0o600 },
  );
  // No room sections: every room is created by the server, with its own secret.
  writeFileSync(join(dir, 'janus.plugin.videoroom.jcfg'), 'general: {\n\tevents = false\n}\n', { mode: 0o600 });
}

/** A free TCP port on 127.0.0.1 right now. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One Janus child process, started again whenever it exits while the supervisor runs (a crash, a
 * `kill -9`): `onRestart` tells the caller once the new process listens.
 */
export class JanusSupervisor {
  private child: ChildProcess | null = null;
  private dir: string | null = null;
  private port = 0;
  private stopping = false;
  private restarts = 0;
  /** True while a start waits for the port: an exit then fails that start rather than restarting. */
  private starting = false;
  private readonly apiSecret: string;
  /** Called after Janus died and listens again. */
  onRestart: (() => void) | null = null;
  /** Called when Janus exited unexpectedly (before it is started again). */
  onExit: ((code: number | null, signal: NodeJS.Signals | null) => void) | null = null;

  constructor(private readonly options: JanusProcessOptions = {}) {
    this.apiSecret = options.apiSecret ?? randomBytes(24).toString('base64url');
  }

  /** The pid of the current Janus, for tests that kill it. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get restartCount(): number {
    return this.restarts;
  }

  /** Starts Janus and resolves once its WebSocket API accepts connections. */
  async start(): Promise<JanusEndpoint> {
    this.stopping = false;
    this.port = this.options.port || (await freeLoopbackPort());
    this.dir = mkdtempSync(join(tmpdir(), 'parley-janus-'));
    writeJanusConfig(this.dir, {
      port: this.port,
      apiSecret: this.apiSecret,
      libDir: this.options.libDir ?? JANUS_LIB_DIR,
      ...(this.options.iceInterface ? { iceInterface: this.options.iceInterface } : {}),
      ...(this.options.rtpPortRange ? { rtpPortRange: this.options.rtpPortRange } : {}),
      ...(this.options.publicIp ? { publicIp: this.options.publicIp } : {}),
    });
    await this.spawnAndWait();
    return { url: `ws://127.0.0.1:${this.port}`, apiSecret: this.apiSecret };
  }

  /** Stops Janus (SIGTERM, then SIGKILL) and removes its configuration folder. */
  async stop(): Promise<void> {
    this.stopping = true;
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
  }

  private async spawnAndWait(): Promise<void> {
    const dir = this.dir;
    if (!dir) throw new Error('janus configuration folder missing');
    const args = ['-C', join(dir, 'janus.jcfg'), '-F', dir, '-o'];
    if (this.options.iceInterface) args.push('-E', this.options.iceInterface);
    const binary = this.options.binary ?? JANUS_BINARY;
    // setpriv (util-linux) makes the kernel kill Janus when this server dies, even by SIGKILL: no
    // orphaned Janus keeps a port (or a test namespace) alive. It execs Janus, so the pid is Janus's.
    const child = existsSync(SETPRIV)
      ? spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const output = this.options.onOutput;
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) output?.(line);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    let exited = false;
    child.once('exit', (code, signal) => {
      exited = true;
      if (this.child !== child || this.stopping || this.starting) return;
      this.child = null;
      this.onExit?.(code, signal);
      void this.restart();
    });
    child.once('error', () => {
      exited = true;
    });

    const deadline = Date.now() + (this.options.startTimeoutMs ?? 10_000);
    this.starting = true;
    try {
      while (!(await portOpen(this.port))) {
        if (exited) throw new Error(`janus exited while starting (port ${this.port})`);
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`janus did not open port ${this.port} in time`);
        }
        await sleep(50);
      }
    } finally {
      this.starting = false;
    }
  }

  private async restart(): Promise<void> {
    // A Janus that dies at once on every start must not spin: back off up to a few seconds.
    for (let attempt = 0; !this.stopping; attempt++) {
      await sleep(Math.min(100 * 2 ** attempt, 5_000));
      if (this.stopping) return;
      try {
        await this.spawnAndWait();
        this.restarts++;
        this.onRestart?.();
        return;
      } catch {
        // try again
      }
    }
  }
}
