import type { ModuleFederationRuntimePlugin } from '@module-federation/enhanced/runtime';
import { type RemoteUnavailable, describeLoadError } from './remote-unavailable.js';

/**
 * Module Federation runtime plugin: when a remote fails to load, resolve with a
 * `RemoteUnavailable` marker instead of rejecting, and tell the shell about it.
 */
export function fallbackPlugin(onUnavailable: (info: RemoteUnavailable) => void = () => {}): ModuleFederationRuntimePlugin {
  return {
    name: 'parley-remote-fallback',
    async errorLoadRemote({ id, error, lifecycle }) {
      const info: RemoteUnavailable = {
        unavailable: true,
        remote: id.split('/')[0] ?? id,
        stage: lifecycle,
        reason: describeLoadError(error),
      };
      onUnavailable(info);
      return info;
    },
  };
}
