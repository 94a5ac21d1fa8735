/**
 * The version of the contract between the shell and its remotes (bus events, mount contract,
 * content types). A release declares the range it needs (`^<the version it was built at>` by
 * default), so a minor bump — events or optional fields added — keeps newer releases from shells
 * that lack them, while older releases still run in newer shells; a major bump means a remote built
 * against the old one must not be loaded. The server evaluates the manifest for the version the shell
 * sends. bus-contract.test.ts fails when the bus changes without a bump.
 */
export const CONTRACT_VERSION = '1.1.0';

/** Major part of a semver string, or NaN when it is not one. */
export function majorOf(version: string): number {
  const match = /^(\d+)\.\d+\.\d+/.exec(version);
  return match ? Number(match[1]) : Number.NaN;
}
