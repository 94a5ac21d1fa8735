import type { ModuleFederationRuntimePlugin } from '@module-federation/enhanced/runtime';

/**
 * A valid SRI value that matches no remote entry (the sha384 of zero bytes). A missing integrity
 * must fail closed: an absent or malformed `integrity` attribute would make the browser load the
 * script unchecked, while a well-formed mismatch makes it refuse.
 */
export const FAIL_CLOSED_INTEGRITY = 'sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb';

/**
 * Module Federation runtime plugin: every remote entry script is loaded with Subresource
 * Integrity from the (verified) manifest, cross-origin without credentials. The remote's own
 * chunks are covered by the SRI hashes its build embeds in that entry.
 */
export function integrityPlugin(integrityFor: (remoteName: string, url: string) => string | undefined): ModuleFederationRuntimePlugin {
  return {
    name: 'parley-remote-integrity',
    createScript({ url, attrs, remoteInfo }) {
      // Only remote entries carry remoteInfo; the SDK applies `attrs` to the script it creates.
      if (!remoteInfo || !attrs) return;
      attrs.integrity = integrityFor(remoteInfo.name, url) ?? FAIL_CLOSED_INTEGRITY;
      attrs.crossorigin = 'anonymous';
    },
  };
}
