#!/usr/bin/env bash
# The one command on a fresh Debian 12 server (as root, in the repository checkout):
#   bash tools/deploy/deploy.sh --domain parley.example --email you@example.org
# It checks Node (Debian 12's own is too old; it says where to get 20 or 22), installs the
# JavaScript dependencies, then runs tools/deploy/src/cli.ts, which does the rest. Rerun it after
# `git pull` to upgrade in place.
set -euo pipefail
cd "$(dirname "$0")/../.."

how_to_get_node() {
  cat >&2 <<'TEXT'
Install Node 22 from NodeSource (Debian 12's own nodejs is 18, too old):
  curl -fsSL https://deb.nodesource.com/setup_22.x -o nodesource_setup.sh && sudo bash nodesource_setup.sh
  sudo apt-get install -y nodejs
then run this command again.
TEXT
}
if ! command -v node >/dev/null; then
  echo "Parley needs Node 20.19 or later, or 22 or later; Node is not installed." >&2
  how_to_get_node
  exit 1
fi
if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>=22||(a===20&&b>=19)?0:1)'; then
  echo "Parley needs Node 20.19 or later, or 22 or later; this is Node $(node -v)." >&2
  how_to_get_node
  exit 1
fi
for arg in "$@"; do
  # A dry run (tests, a preview) installs nothing, not even the dependencies.
  if [ "$arg" = "--dry-run" ] || [ "$arg" = "--help" ]; then exec npx tsx tools/deploy/src/cli.ts "$@"; fi
done
[ "$(id -u)" -eq 0 ] || { echo "Run it as root (sudo): it installs packages and services." >&2; exit 1; }
npm ci --no-audit --no-fund
exec npx tsx tools/deploy/src/cli.ts "$@"
