export { fallbackPlugin } from './fallback-plugin.js';
export { type RemoteUnavailable, describeLoadError, isRemoteUnavailable } from './remote-unavailable.js';
