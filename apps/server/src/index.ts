// What tools and browser tests use to start a real server in their own process.
export { APP_NAMES, type AppName, type ServerConfig, REPO_ROOT, configFromEnv } from './config.js';
export { type Addresses, type ParleyServer, browserFacing, createParleyServer } from './create-server.js';
export { GENERATED_MARKER, localRelease, writeDefaultManifest } from './default-manifest.js';
export { MANIFEST_FILE_NAME, type ManifestFile } from './manifest-route.js';
export { type StaticOrigin, serveStatic } from './static-origin.js';
