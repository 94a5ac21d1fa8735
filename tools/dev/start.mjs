#!/usr/bin/env node
// `npm start`: build the three apps (Nx skips what is up to date) and start the server, which
// serves the API, the relay and each app from its own origin, then prints the URL to open.
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

const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=shell,chat,call', '--outputStyle=static'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('Building the apps failed; see above.');
  process.exit(build.status ?? 1);
}

const server = spawn('npx', ['tsx', 'apps/server/src/main.ts'], { cwd: root, env, stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
