/**
 * Test support: the real server as a child process (`main.ts` under tsx), so a test can SIGKILL
 * it like a crash would and start it again on the same data folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Addresses } from '../create-server.js';

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** A server running in its own process. */
export interface ChildServer {
  readonly process: ChildProcess;
  readonly addresses: Addresses;
  /** Resolves with the exit signal or code once the process is gone. */
  readonly exited: Promise<NodeJS.Signals | number | null>;
  /** What the process wrote to stderr so far (for failure messages). */
  stderr(): string;
}

/** Starts `main.ts` on port 0 with `dataDir`; resolves once it printed its addresses. */
export async function startChildServer(dataDir: string, env: Record<string, string> = {}): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_API_PORT: '0',
      PARLEY_SHELL_PORT: '0',
      PARLEY_CHAT_PORT: '0',
      PARLEY_CALL_PORT: '0',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_ADDRESSES_JSON: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += String(chunk)));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
  const addresses = await new Promise<Addresses>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      try {
        const parsed = JSON.parse(line) as { listening?: Addresses };
        if (parsed.listening) resolve(parsed.listening);
      } catch {
        // Not the addresses line.
      }
    });
    void exited.then((status) => reject(new Error(`server exited (${status}) before listening: ${stderr}`)));
  });
  return { process: child, addresses, exited, stderr: () => stderr };
}
