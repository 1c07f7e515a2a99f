#!/usr/bin/env bash
# Installs the Debian 12 packages Tapedeck builds, tests and benchmarks with.
# Idempotent: when every package is already present it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  build-essential cmake make pkg-config git
  clang libclang-rt-14-dev lld
  capnproto libcapnp-dev
  liblz4-dev libxxhash-dev libzstd-dev zlib1g-dev
  libboost-dev libquickfix-dev libpugixml-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libfmt-dev libtomlplusplus-dev nlohmann-json3-dev
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
