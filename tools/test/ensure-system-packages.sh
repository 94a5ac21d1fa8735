#!/usr/bin/env bash
# Installs the Debian packages the tests need when they are missing (CI starts on a fresh machine).
# Needs root or sudo; prints what it does and does nothing when everything is there.
set -euo pipefail

declare -A needs=( [chromium]=/usr/bin/chromium [iproute2]=/usr/sbin/ip [coturn]=/usr/bin/turnserver [nftables]=/usr/sbin/nft [janus]=/usr/bin/janus [caddy]=/usr/bin/caddy [libnss3-tools]=/usr/bin/certutil [firefox-esr]=/usr/bin/firefox-esr [fonts-noto-color-emoji]=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf [fonts-dejavu-core]=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf [xvfb]=/usr/bin/Xvfb [postgresql]=/usr/lib/postgresql/15/bin/initdb [redis-server]=/usr/bin/redis-server )
missing=()
for pkg in "${!needs[@]}"; do
  [ -e "${needs[$pkg]}" ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing Debian packages for the tests: ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "Need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
