// What tools and browser tests use to start a real server in their own process.
export { APP_NAMES, type AppName, type ServerConfig, REPO_ROOT, configFromEnv } from './config.js';
export { type Addresses, type ParleyServer, browserFacing, createParleyServer } from './create-server.js';
export { builtVersion, publishLocalBuilds } from './local-builds.js';
export { MANIFEST_KEY_FILE_NAME, MANIFEST_PUBLIC_KEYS_FILE_NAME, loadOrCreateManifestKeys, rotateManifestKeys, writePublicKeys } from './manifest-keys.js';
export { evaluateManifest } from './manifest-route.js';
export { DEFAULT_CONTRACTS, ReleaseError, ReleaseRegistry, type RemoteRuleSet, buildHash, folderFingerprint } from './release-registry.js';
export type { ReleaseRecord, RuleRevision, Storage } from './storage.js';
export { SqliteStorage } from './sqlite-storage.js';
export { type StaticOrigin, serveStatic } from './static-origin.js';
export { BackupError, type BackupSummary, backupDataDir } from './backup.js';
