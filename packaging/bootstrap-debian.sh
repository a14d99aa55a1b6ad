#!/usr/bin/env bash
# Installs everything Outpost needs to build, test and run on Debian 12.
# Idempotent: packages already present are left alone. Runs as root, or
# through sudo otherwise.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build pkg-config git
  # Qt 6 modules and tools
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  qt6-websockets-dev qt6-httpserver-dev qt6-declarative-dev qt6-svg-dev
  qt6-translations-l10n libgl-dev libxkbcommon-dev
  # the offscreen and xcb platform plugins the studio and its tests start on
  qt6-qpa-plugins
  # libraries
  libqcustomplot-dev libqcustomplot2.1-qt6 libhnswlib-dev nlohmann-json3-dev
  libsqlite3-dev sqlite3
  # fonts, so the offscreen widget tests and screenshots render text
  fonts-dejavu-core
  # Node.js and npm for the tests that talk to real npm clients
  nodejs npm wrk
)

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
else
  as_root=(sudo)
fi

missing=()
for p in "${packages[@]}"; do
  # A package counts as present only when dpkg has it fully installed.
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Node.js may come from outside Debian (for example a NodeSource build that
# bundles npm); then Debian's npm package conflicts with it and is not needed.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs|npm) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]}")
fi

if [ "${#missing[@]}" -eq 0 ]; then
  echo "bootstrap: all dependencies already installed"
  exit 0
fi

echo "bootstrap: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
