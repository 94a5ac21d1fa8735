// What other packages' tests and benchmarks use to run the real server (`@parley/server/testing`).
// The rest of this folder stays this app's own: it loads vitest and the libsignal oracle.
export { type ChildServer, type ChildServerOptions, startChildServer, testServerEnvironment } from './child-server.js';
export { type ScratchPostgres, startScratchPostgres } from './scratch-postgres.js';
export { type ScratchRedis, startScratchRedis } from './scratch-redis.js';
