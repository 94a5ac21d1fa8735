export { fallbackPlugin } from './fallback-plugin.js';
export { FAIL_CLOSED_INTEGRITY, integrityPlugin } from './integrity-plugin.js';
export { type RemoteUnavailable, describeLoadError, isRemoteUnavailable } from './remote-unavailable.js';
export { type RetryOptions, retryPlugin } from './retry-plugin.js';
