/**
 * The real server for tests and benchmarks, here and in other packages: the environment of a
 * throwaway server (its data folder, free ports, quiet logs), and that server as a child process
 * (`main.ts` under tsx), so a test can SIGKILL it like a crash would and start it again on the
 * same data folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Addresses } from '../create-server.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/**
 * The environment of a throwaway server: its data in `dataDir`, the API and every app origin on a
 * free port (0), warnings and worse in the log; `extra` adds to it or overrides it.
 */
export function testServerEnvironment(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_API_PORT: '0',
    PARLEY_SHELL_PORT: '0',
    PARLEY_CHAT_PORT: '0',
    PARLEY_CALL_PORT: '0',
    PARLEY_LOG_LEVEL: 'warn',
    ...extra,
  };
}

/** A server running in its own process. */
export interface ChildServer {
  readonly process: ChildProcess;
  readonly addresses: Addresses;
  /** Resolves with the exit signal or code once the process is gone. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** What the process wrote to stderr so far (for failure messages); empty when it is inherited. */
  stderr(): string;
  /** Its log so far (pino writes to stdout), the last megabyte at most. */
  log(): string;
}

/** How the child is run, beyond its environment. */
export interface ChildServerOptions {
  /** Node options before the entry, e.g. V8 flags or `--cpu-prof` for a benchmark. */
  readonly nodeArgs?: readonly string[];
  /** `inherit` lets the server's stderr through (benchmarks, long tests); `pipe` keeps it for `stderr()`. */
  readonly stderr?: 'pipe' | 'inherit';
}

/**
 * Starts `main.ts` with testServerEnvironment(dataDir, env) on top of this process's environment;
 * resolves once it printed its addresses, rejects if it exits first.
 */
export async function startChildServer(dataDir: string, env: NodeJS.ProcessEnv = {}, options: ChildServerOptions = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), '--import', 'tsx', MAIN], {
    env: { ...process.env, ...testServerEnvironment(dataDir, { PARLEY_ADDRESSES_JSON: '1', ...env }) },
    stdio: ['ignore', 'pipe', options.stderr ?? 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  let log = '';
  const addresses = await new Promise<Addresses>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      log = (log + line + '\n').slice(-1_000_000);
      try {
        const parsed = JSON.parse(line) as { listening?: Addresses };
        if (parsed.listening) resolve(parsed.listening);
      } catch {
        // Not the addresses line.
      }
    });
    void exited.then((status) => reject(new Error(`server exited (${status}) before listening: ${stderr}`)));
  });
  return { process: child, addresses, exited, stderr: () => stderr, log: () => log };
}
