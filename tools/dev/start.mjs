#!/usr/bin/env node
// `npm start`: make sure the data folder has its manifest signing keys (generated on first start),
// build the three apps with the shell pinning those public keys (Nx skips what is up to date), and
// start the server, which publishes the built chat and call as the default releases, serves the
// API, the relay and each app from its own origin, then prints the URL to open.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = {
  ...process.env,
  NX_NATIVE_FILE_CACHE_DIRECTORY: `${root}.nx/native`,
  NX_SOCKET_DIR: `${root}.nx/socket`,
  NX_DAEMON: 'false',
  NX_TUI: 'false',
};

// The shell pins the keys at build time: read them from the data folder here, never from the server.
const keys = spawnSync('npx', ['tsx', 'tools/release/src/cli.ts', 'keys'], { cwd: root, env, encoding: 'utf8' });
if (keys.status !== 0) {
  console.error(`Preparing the manifest signing keys failed:\n${keys.stderr}`);
  process.exit(keys.status ?? 1);
}
env.PARLEY_MANIFEST_KEYS = keys.stdout.trim();

const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=shell,chat,call', '--outputStyle=static'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('Building the apps failed; see above.');
  process.exit(build.status ?? 1);
}

// A larger young generation: the relay allocates many short-lived frames, and with Node's default
// garbage collection took 17% of the server's main thread under load (4% with this).
// Quiet by default (warnings and errors only, not a JSON line per request; PARLEY_LOG_LEVEL=info
// brings them back), and the server reports its addresses as one JSON line so the banner below is
// printed only once the shell really answers.
const serverEnv = {
  ...env,
  PARLEY_LOG_LEVEL: process.env.PARLEY_LOG_LEVEL ?? 'warn',
  PARLEY_ADDRESSES_JSON: '1',
  NODE_OPTIONS: [process.env.NODE_OPTIONS, '--max-semi-space-size=64'].filter(Boolean).join(' '),
};
const server = spawn('npx', ['tsx', 'apps/server/src/main.ts'], { cwd: root, env: serverEnv, stdio: ['inherit', 'pipe', 'inherit'] });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));

/** The address a browser on this machine opens (the server listens on a loopback or any address). */
const browserFacing = (address) => address.replace(/^http:\/\/(127\.0\.0\.1|0\.0\.0\.0|\[::1?\])(?=:)/, 'http://localhost');

/** Resolves once `url` answers an HTTP request (any status), trying a few times a second. */
async function answering(url) {
  for (;;) {
    try {
      await fetch(url, { method: 'HEAD' });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

let pending = '';
let announced = false;
server.stdout.setEncoding('utf8');
server.stdout.on('data', (chunk) => {
  if (announced) return void process.stdout.write(chunk);
  pending += chunk;
  const newline = pending.indexOf('\n');
  if (newline < 0) return;
  const first = pending.slice(0, newline);
  const rest = pending.slice(newline + 1);
  announced = true;
  let listening = null;
  try {
    listening = JSON.parse(first).listening ?? null;
  } catch {
    // Not the addresses line (an older server): show it as it is.
  }
  if (!listening) return void process.stdout.write(`${first}\n${rest}`);
  const open = browserFacing(listening.shell ?? listening.api);
  answering(open).then(() => {
    process.stdout.write(`\nParley is running. Open ${open}\n  API ${browserFacing(listening.api)}  data ${process.env.PARLEY_DATA_DIR ?? './data'}\n\n`);
    if (rest) process.stdout.write(rest);
  });
});
