// What tools and browser tests use to start a real server in their own process.
export { APP_NAMES, type AppName, type ServerConfig, REPO_ROOT, configFromEnv } from './config.js';
export { type Addresses, type ParleyServer, browserFacing, createParleyServer } from './create-server.js';
export { builtVersion, publishLocalBuilds } from './releases/local-builds.js';
export { MANIFEST_KEY_FILE_NAME, MANIFEST_PUBLIC_KEYS_FILE_NAME, loadOrCreateManifestKeys, rotateManifestKeys, writePublicKeys } from './releases/manifest-keys.js';
export { evaluateManifest } from './releases/manifest-route.js';
export { DEFAULT_CONTRACTS, ReleaseError, ReleaseRegistry, type RemoteRuleSet, buildHash, folderFingerprint } from './releases/release-registry.js';
export type { ReleaseRecord, RuleRevision, Storage } from './storage/storage.js';
export { SqliteStorage } from './storage/sqlite-storage.js';
export { PostgresStorage } from './storage/postgres-storage.js';
export { storageFromEnv } from './storage/open-storage.js';
export { type StaticOrigin, serveStatic } from './http/static-origin.js';
export { BackupError, type BackupSummary, backupDataDir } from './storage/backup.js';
