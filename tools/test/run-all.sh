#!/usr/bin/env bash
# `npm test`: every check and every test, the same on a laptop and in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_NATIVE_FILE_CACHE_DIRECTORY="$PWD/.nx/native" NX_SOCKET_DIR="$PWD/.nx/socket" NX_DAEMON=false
export NX_TUI=false
# The browser tests' server signs with the committed development keys (e2e/support/system.ts), so
# the shell built here pins them; only a build that asks for them by name may
# (tools/mf-build/manifest-keys.mjs). Exported for the whole run: the e2e target builds too.
export PARLEY_DEV_MANIFEST_KEYS=1

started=$(date +%s)
bash tools/test/ensure-system-packages.sh

echo "== lint, typecheck, unit tests"
npx nx run-many -t lint typecheck test --outputStyle=stream

echo "== build every app (and the negative-control build of call)"
npx nx run-many -t build build-negative-control --outputStyle=stream
# What ships has no test hook (window.parleyDebug and the like), and its size is what users download;
# the browser tests below build again with the hooks (PARLEY_TEST_HOOKS=1).
node tools/test/check-no-test-hooks.mjs

echo "== size report"
npm run --silent size

echo "== the server on PostgreSQL killed mid-flow: restarted, and one of two nodes killed (alone)"
# Run by itself: beside the parallel unit tests of every project on 2 cores it hung about one run in
# three (a delivery loop that never went quiet; alone it passes in ~6 s). Issue 22's note says more.
# The node-death test still hung 2 runs in 7 under a load average of ~20 (phase: the sender
# reconnecting through node B; cause not found): the target retries a failed test once, and a
# retried pass is printed, so it is seen rather than hidden.
npx nx run server:test-isolated --outputStyle=stream

echo "== the relay and accounts suites again, on PostgreSQL (a scratch cluster of their own)"
# `server:test` ran them on SQLite; the storage contract suite already runs on both backends.
npx nx run server:test-postgres --outputStyle=stream

echo "== group calls against a real Janus (in the loopback namespace)"
# One after the other: both send real-time media on 2 cores, and the bots' three-way call missed a
# publisher once while the server's suite ran beside it (~5 s more this way).
npx nx run-many -t test-janus -p server bots --parallel=1 --outputStyle=stream

echo "== the older commit's apps for the version-skew test"
# Built here, outside the loopback namespace, so a shallow clone can still fetch the commit; the
# spec's own call then finds them cached. The commit is the spec's OLDER_COMMIT line.
bash tools/test/build-at-commit.sh "$(sed -n "s/^const OLDER_COMMIT = '\([0-9a-f]*\)';$/\1/p" e2e/tests/version-skew.spec.ts)" >/dev/null
# And the last commit whose shell and chat ran on React, for framework-skew.spec.ts (its REACT_COMMIT line).
bash tools/test/build-at-commit.sh "$(sed -n "s/^const REACT_COMMIT = '\([0-9a-f]*\)';$/\1/p" e2e/tests/framework-skew.spec.ts)" >/dev/null

echo "== browser tests (Playwright in Debian Chromium)"
# The browser tests drive test hooks: every app they build (one flag for all, see
# tools/mf-build/test-hooks.mjs) is a test build.
PARLEY_TEST_HOOKS=1 bash tools/test/in-loopback-namespace.sh npx nx run e2e:e2e --outputStyle=stream

echo "All tests passed in $(( $(date +%s) - started )) s."
