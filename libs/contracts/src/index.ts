export * from './contract-version.js';
export * from './bus-events.js';
export * from './content.js';
export * from './manifest.js';
export * from './mount.js';
export * from './relay-frames.js';
export * from './accounts-api.js';
export * from './settings-api.js';
