#!/usr/bin/env bash
# Runs a command in a fresh network namespace with only loopback up, so servers and browsers
# started by tests keep every packet on this machine (ENVIRONMENT "Network isolation").
# Without root (or without unshare) it runs the command as is, on the host's loopback.
set -euo pipefail
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  exec unshare -n bash -c 'ip link set lo up && exec "$@"' bash "$@"
fi
echo "(not root: running on the host's loopback, without a private network namespace)" >&2
exec "$@"
