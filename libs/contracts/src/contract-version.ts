/**
 * The version of the contract between the shell and its remotes (bus events, mount contract,
 * content types). A major bump means a remote built against the old one must not be loaded;
 * the server evaluates the manifest for the version the shell sends.
 */
export const CONTRACT_VERSION = '1.0.0';

/** Major part of a semver string, or NaN when it is not one. */
export function majorOf(version: string): number {
  const match = /^(\d+)\.\d+\.\d+/.exec(version);
  return match ? Number(match[1]) : Number.NaN;
}
