#!/usr/bin/env bash
# Builds the shell, chat and call apps as they were at an older commit of this repository, for the
# version-skew browser test (e2e/tests/version-skew.spec.ts): an older call release in today's shell,
# and today's call release in an older shell.
#
#   bash tools/test/build-at-commit.sh <commit>
#
# Prints the folder that holds the builds (<folder>/shell, <folder>/chat, <folder>/call) on its last
# line. The result is cached under .tmp/version-skew/<full commit>/ (ignored by git), so a rerun
# with the same commit costs nothing.
#
# The source is the commit's tree exported with `git archive`, not a registered `git worktree`: the
# export leaves nothing behind in the repository's shared git metadata when the cache folder is
# deleted. It reuses this checkout's node_modules (symlinks, no `npm ci`, no network) and refuses
# when the commit's lockfile pins a dependency this checkout does not have at the same version and
# integrity. The build environment is the e2e build's: the committed development manifest keys
# (PARLEY_DEV_MANIFEST_KEYS=1, which the test server signs with) and nothing unshared.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"

if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 <commit>" >&2
  exit 2
fi
wanted="$1"
if [ ! -d "$ROOT/node_modules/.bin" ]; then
  echo "build-at-commit: no node_modules in $ROOT: install this checkout first (npm ci)." >&2
  exit 3
fi

# A shallow clone (CI may clone with --depth) lacks older commits: fetch the one needed, and say
# plainly what to do when even that is impossible.
if ! git cat-file -e "${wanted}^{commit}" 2>/dev/null; then
  echo "build-at-commit: $wanted is not in this clone; fetching it from origin" >&2
  if ! git fetch --quiet --depth=1 origin "$wanted" >&2 || ! git cat-file -e "${wanted}^{commit}" 2>/dev/null; then
    echo "build-at-commit: commit $wanted is unavailable (shallow clone without a reachable origin?)." >&2
    echo "  Fetch the history first, e.g. 'git fetch --unshallow', then run again." >&2
    exit 3
  fi
fi
commit="$(git rev-parse "${wanted}^{commit}")"

CACHE="$ROOT/.tmp/version-skew/$commit"
SRC="$CACHE/src"
OUT="$CACHE/dist"
APPS=(shell chat call)

if [ -f "$OUT/.complete" ]; then
  echo "$OUT"
  exit 0
fi
rm -rf "$CACHE"
mkdir -p "$SRC" "$OUT"

git archive --format=tar "$commit" | tar -x -C "$SRC"

# The commit's lockfile must not need anything this checkout's node_modules lacks.
node - "$SRC/package-lock.json" "$ROOT/package-lock.json" >&2 <<'EOF'
const { readFileSync } = require('node:fs');
const [older, current] = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')).packages);
const missing = [];
for (const [path, entry] of Object.entries(older)) {
  if (!path.includes('node_modules/') || entry.link) continue; // the root, workspaces and their links
  const here = current[path];
  if (!here || here.version !== entry.version || here.integrity !== entry.integrity) missing.push(`${path}@${entry.version}`);
}
if (missing.length > 0) {
  console.error(`build-at-commit: the commit's lockfile needs ${missing.length} package(s) this checkout does not have, e.g.:`);
  for (const line of missing.slice(0, 10)) console.error(`  ${line}`);
  console.error('  Pick a commit whose dependencies this checkout has, or install them in the export by hand.');
  process.exit(4);
}
EOF

# Every installed package is linked from this checkout, except the workspace links (@parley/*),
# which must resolve to the commit's own libraries: those follow the commit's lockfile.
mkdir -p "$SRC/node_modules"
for entry in "$ROOT"/node_modules/* "$ROOT"/node_modules/.bin; do
  name="$(basename "$entry")"
  [ "$name" = "@parley" ] && continue
  ln -s "$entry" "$SRC/node_modules/$name"
done
mkdir -p "$SRC/node_modules/@parley"
node - "$SRC" <<'EOF'
const { readFileSync, symlinkSync } = require('node:fs');
const { join, relative } = require('node:path');
const root = process.argv[2];
const { packages } = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
for (const [path, entry] of Object.entries(packages)) {
  if (!entry.link || !path.startsWith('node_modules/@parley/')) continue;
  symlinkSync(relative(join(root, 'node_modules/@parley'), join(root, entry.resolved)), join(root, path));
}
EOF

# The e2e build's environment, whatever the caller's shell holds.
for app in "${APPS[@]}"; do
  echo "build-at-commit: building $app at ${commit:0:12}" >&2
  (
    cd "$SRC/apps/$app"
    env -u PARLEY_MANIFEST_KEYS -u PARLEY_UNSHARE -u PARLEY_MF_RUNTIME PARLEY_DEV_MANIFEST_KEYS=1 \
      "$SRC/node_modules/.bin/rsbuild" build >&2
    # A commit whose chat reads the shell's federation runtime builds it twice, like its project.json's
    # build (tools/mf-build/runtime-fallback.mjs): the second, full build and the wrap. (Keep in step
    # with the remotes whose project.json builds them so.)
    if [ "$app" = chat ] && [ -f "$SRC/tools/mf-build/finish-remote-build.mjs" ]; then
      env -u PARLEY_MANIFEST_KEYS -u PARLEY_UNSHARE PARLEY_MF_RUNTIME=bundled PARLEY_DEV_MANIFEST_KEYS=1 \
        "$SRC/node_modules/.bin/rsbuild" build >&2
      node "$SRC/tools/mf-build/finish-remote-build.mjs" "$app" >&2
    fi
  )
  cp -a "$SRC/apps/$app/dist" "$OUT/$app"
done
# What the test reasons about: the contract the commit's apps were built against, its call version.
node - "$SRC" "$commit" >"$OUT/build-info.json" <<'EOF'
const { readFileSync } = require('node:fs');
const [root, commit] = process.argv.slice(2);
const contract = /CONTRACT_VERSION = '([^']+)'/.exec(readFileSync(`${root}/libs/contracts/src/contract-version.ts`, 'utf8'));
if (!contract) throw new Error("no CONTRACT_VERSION in the commit's libs/contracts/src/contract-version.ts");
const callVersion = JSON.parse(readFileSync(`${root}/apps/call/package.json`, 'utf8')).version;
console.log(JSON.stringify({ commit, contractVersion: contract[1], callVersion }, null, 2));
EOF
touch "$OUT/.complete"
echo "$OUT"
