// What the browser tests use to run a deployment exactly as the tool configures one.
export { type CaddyOptions, type DeploySecrets, renderCaddyfile, renderEnvFile, turnUrls } from './render.js';
export { type DeploySettings, PATHS, UPSTREAM_PORTS, defaultSettings } from './settings.js';
