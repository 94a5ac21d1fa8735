#!/usr/bin/env bash
# `npm run bench`: protocol and SFrame benchmarks, the relay benchmarks (one node; one and two nodes on PostgreSQL; memory per idle connection), then the call and first-load benchmarks (need the built apps and Chromium;
# run in a loopback-only network namespace when root, like the browser tests).
set -euo pipefail
cd "$(dirname "$0")/../.."
export NX_NATIVE_FILE_CACHE_DIRECTORY="$PWD/.nx/native" NX_SOCKET_DIR="$PWD/.nx/socket" NX_DAEMON=false NX_TUI=false

# 1,000 relay clients need more than the default 1,024 file descriptors.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true

echo "== signal protocol: ours vs libsignal-client (ratios); SFrame frame transforms"
npx nx run-many -t bench -p signal-protocol media-e2ee --parallel=1 --outputStyle=stream

echo "== relay: Parley relay vs a raw ws echo server"
npx tsx tools/bench/relay.ts

echo "== search on the device: index build and query p50/p99 over 100,000 stored messages"
npx tsx tools/bench/search.ts

echo "== relay on SQLite (1 node), PostgreSQL (1 node), PostgreSQL + Redis (2 nodes): msg/s, p50/p99, CPU per process"
npx tsx tools/bench/relay-cluster.ts

echo "== idle connections: node, client and Redis memory per authenticated idle relay WebSocket"
# --expose-gc: the figures are taken after a full collection in both processes.
node --expose-gc --import tsx tools/bench/idle-connections.ts

echo "== calls: click \"Video call\" → first remote frame and audio, Parley vs bare WebRTC"
# The benchmark's server signs with the committed development keys (tools/bench/call.ts).
PARLEY_DEV_MANIFEST_KEYS=1 npx nx run-many -t build -p shell chat call --outputStyle=stream >/dev/null
bash tools/test/in-loopback-namespace.sh npx tsx tools/bench/call.ts

echo "== calls between Chromium and Firefox ESR, both directions: click → first remote frame and audio, Parley vs bare WebRTC; CPU per browser"
# Debian's firefox-esr, driven by puppeteer-core (tools/bench/call-firefox.ts); skipped when it is not installed.
if [ -x "${PARLEY_FIREFOX:-/usr/bin/firefox-esr}" ]; then
  bash tools/test/in-loopback-namespace.sh npx tsx tools/bench/call-firefox.ts
else
  echo "(no Firefox at ${PARLEY_FIREFOX:-/usr/bin/firefox-esr}: skipped)"
fi

echo "== first load: returning user → chat usable, first visit → onboarding usable (1.6 Mbit/s, 150 ms RTT; median of 5)"
# The same production build as the call benchmark, served as npm start serves it (tools/bench/first-load.ts).
bash tools/test/in-loopback-namespace.sh npx tsx tools/bench/first-load.ts

echo "== group calls: 2 browsers + werift bots at 4, 8, 16, 32 people through Janus"
bash tools/test/in-loopback-namespace.sh npx tsx tools/bench/group-call.ts

echo "== attachments: 100 MiB encrypt+upload and download+decrypt in Chromium vs plain fetch (median of 3)"
npx tsx tools/bench/attachments.ts

echo "== release train: GET /api/manifest per request, and promote → visible"
npx tsx tools/bench/manifest.ts
