/**
 * The Node versions Parley runs on (package.json `engines`: 20.19+ or 22+), checked before anything
 * is installed: Debian 12's own `nodejs` is 18, too old, and an operator needs to be told where to
 * get a supported one rather than meet a syntax error later.
 */

/** How to install a supported Node on Debian 12. */
export const HOW_TO_GET_NODE = `Install Node 22 from NodeSource (Debian 12's own nodejs is 18, too old):
  curl -fsSL https://deb.nodesource.com/setup_22.x -o nodesource_setup.sh && sudo bash nodesource_setup.sh
  sudo apt-get install -y nodejs
then run this command again.`;

/** Why `version` (e.g. `20.20.2`) cannot run Parley, or null when it can. */
export function unsupportedNode(version: string): string | null {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  if (major >= 22 || (major === 20 && minor >= 19)) return null;
  return `Parley needs Node 20.19 or later, or 22 or later; this is Node ${version}.`;
}
