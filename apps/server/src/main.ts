/**
 * Entry point: reads the environment, starts the server and stops it cleanly on SIGINT/SIGTERM.
 * With PARLEY_ADDRESSES_JSON=1 it prints `{"listening":{…addresses},"pid":…}` as its one line.
 */
import { configFromEnv } from './config.js';
import { browserFacing, createParleyServer } from './create-server.js';

const config = configFromEnv(process.env);
const server = createParleyServer(config);

try {
  const addresses = await server.start();
  if (process.env.PARLEY_ADDRESSES_JSON === '1') {
    // For a parent process (tests, benchmarks) that started this server on port 0: one JSON line.
    process.stdout.write(`${JSON.stringify({ listening: addresses, pid: process.pid })}\n`);
  } else {
    const open = addresses.shell ?? addresses.api;
    process.stdout.write(`\nParley is running. Open ${browserFacing(open)}\n  API ${addresses.api}  data ${config.dataDir}\n\n`);
  }
} catch (error) {
  process.stderr.write(`Parley could not start: ${(error as Error).message}\n`);
  process.exit(1);
}

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    // A second Ctrl-C means "now": do not make someone wait for a stuck close.
    if (stopping) process.exit(1);
    stopping = true;
    server.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`Parley did not stop cleanly: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  });
}
