#!/usr/bin/env bash
# Installs the Debian packages Accordion needs, once. Safe to run repeatedly: when everything is
# present it does nothing. Extra package names may be passed as arguments.
set -euo pipefail

packages=(libopenblas-dev liblapacke-dev zlib1g-dev dataset-fashion-mnist "$@")
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
echo "installing: ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
