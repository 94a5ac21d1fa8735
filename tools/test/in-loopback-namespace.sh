#!/usr/bin/env bash
# Runs a command in a fresh network namespace with only loopback up, so servers and browsers
# started by tests keep every packet on this machine (ENVIRONMENT "Network isolation").
# Without root (or without unshare) it runs the command as is, on the host's loopback.
#
# Inside the namespace it also adds `tnet`, an ifb link holding 198.51.100.1/24 (exported as
# PARLEY_TEST_PUBLIC_IP, coturn's address in the TURN test), and `jlo`, an ifb link holding
# 127.0.0.1/32, and exports PARLEY_JANUS_INTERFACE=jlo: Janus never gathers ICE candidates on a loopback-flagged interface
# (ENVIRONMENT "Network isolation for tests"), and this one is not flagged so. Without ifb (no
# kernel module) Janus-dependent tests skip, saying so.
set -euo pipefail
if [ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  # ifb may be a module not loaded yet; harmless when it is built in or loaded.
  command -v modprobe >/dev/null && modprobe ifb numifbs=0 2>/dev/null || true
  exec unshare -n bash -c '
    ip link set lo up
    if ip link add jlo type ifb 2>/dev/null && ip link set jlo addrgenmode none \
      && ip addr add 127.0.0.1/32 dev jlo && ip link set jlo up; then
      export PARLEY_JANUS_INTERFACE=jlo
    else
      echo "(no ifb link in the test namespace: tests that need Janus will skip)" >&2
    fi
    # A public-looking address (TEST-NET-2) for coturn: the deployment config denies relaying to
    # loopback and private peers, so the relay-only call test relays on this one (e2e/support/coturn.ts).
    if ip link add tnet type ifb 2>/dev/null && ip link set tnet addrgenmode none \
      && ip addr add 198.51.100.1/24 dev tnet && ip link set tnet up; then
      export PARLEY_TEST_PUBLIC_IP=198.51.100.1
    fi
    exec "$@"' bash "$@"
fi
echo "(not root: running on the host's loopback, without a private network namespace)" >&2
exec "$@"
